package io.moescope.model;

import io.moescope.backend.RoutingRule;
import java.util.List;

/**
 * The load-balancing loss of Mixtral, Qwen-MoE and OLMoE, as transformers computes it: over the N
 * token rows of all MoE layers, aux = E * sum_e f_e * P_e, where f_e is the fraction of top-k slots
 * given to expert e (top-k of the softmax, taken afresh) and P_e the mean softmax probability of e.
 * As in transformers, f is a count and passes no gradient; P does.
 */
public final class LoadBalancing {
    private LoadBalancing() {}

    /**
     * What each MoE layer adds to its logit gradient: d(coef * aux)/d logits[t] is
     * softmaxWeightedSumBackward with c = f and scale = coef * E / N (N rows over all layers).
     */
    public record Term(float[] loadFractions, float scale) {}

    /** The loss and, for coefficient coef, its gradient term; from the router logits of every MoE layer. */
    public record Result(double loss, Term term) {}

    /**
     * @param logits each MoE layer's router logits [T, E], on the host
     * @param coef   the coefficient the gradient term carries (0: the value alone matters)
     */
    public static Result of(List<float[]> logits, int experts, int k, double coef) {
        int E = experts;
        double[][] slotCounts = new double[k][E];
        double[] probSum = new double[E];
        long rows = 0;
        float[] p = new float[E];
        for (float[] v : logits) {
            for (int t = 0; t < v.length / E; t++) {
                RoutingRule.softmax(v, t * E, E, p);
                int[] top = RoutingRule.topK(p, k);
                for (int j = 0; j < k; j++) slotCounts[j][top[j]]++;
                for (int e = 0; e < E; e++) probSum[e] += p[e];
                rows++;
            }
        }
        if (rows == 0) return new Result(Double.NaN, null);
        // summed slot by slot, as transformers sums its [k, E] fractions times [E] probabilities
        double loss = 0;
        double[] count = new double[E];
        for (int j = 0; j < k; j++) {
            for (int e = 0; e < E; e++) {
                loss += (slotCounts[j][e] / rows) * (probSum[e] / rows);
                count[e] += slotCounts[j][e];
            }
        }
        float[] f = new float[E];
        for (int e = 0; e < E; e++) f[e] = (float) (count[e] / rows);
        return new Result(loss * E, new Term(f, (float) (coef * E / rows)));
    }
}
