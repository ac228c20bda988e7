package io.moescope.analysis;

/**
 * What one MoE layer's router did, per token, in the form the routing view shows.
 *
 * @param layer         decoder-layer index
 * @param probabilities [T, E]: softmax of the logits, or for sigmoid routers the scores divided by
 *                      their sum, so that every row is a distribution
 * @param entropy       [T] entropy of each row of probabilities, in nats (ln E = uniform)
 * @param topkIndex     [T, k] chosen experts, best first
 * @param topkWeight    [T, k] their mixing weights
 * @param coActivation  [E][E]: off the diagonal, tokens that chose both experts; on it, tokens that chose the expert
 */
public record LayerRouting(int layer, int tokens, int experts, int k, float[] probabilities, float[] entropy,
                           int[] topkIndex, float[] topkWeight, long[][] coActivation) {

    public int top1(int token) {
        return topkIndex[token * k];
    }

    public float probability(int token, int expert) {
        return probabilities[token * experts + expert];
    }

    public double meanEntropy() {
        double s = 0;
        for (float e : entropy) s += e;
        return tokens == 0 ? 0 : s / tokens;
    }
}
