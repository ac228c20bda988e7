package io.moescope.analysis;

/**
 * Per head, how spread out its attention is: the mean over query positions of the entropy of the
 * attention row, in nats. Low = the head looks at one token; high = it averages over many.
 *
 * @param entropy [layer][head]; NaN for a layer whose probabilities were not kept
 */
public record AttentionStats(double[][] entropy) {

    public double entropy(int layer, int head) {
        return entropy[layer][head];
    }
}
