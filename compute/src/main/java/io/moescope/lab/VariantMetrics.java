package io.moescope.lab;

/**
 * What a variant changed, measured on the same tokens as the baseline. Per-layer arrays have one
 * entry per MoE layer (routing and load) or per decoder layer (attention), in layer order.
 *
 * @param klPerToken         KL(baseline || variant) of each position's next-token distribution, nats
 * @param meanKl             their mean
 * @param top1Agreement      fraction of positions whose most likely next token is unchanged
 * @param baselinePerplexity exp(mean next-token loss) of the unchanged model
 * @param variantPerplexity  the same for the variant
 * @param moeLayers          decoder-layer index of each MoE layer
 * @param routingFlips       per MoE layer, fraction of tokens whose set of chosen experts changed
 * @param loadCvBefore       per MoE layer, coefficient of variation of tokens per expert, baseline
 * @param loadCvAfter        the same for the variant (dropped slots not counted as load)
 * @param maxOverMeanBefore  per MoE layer, busiest expert's load over the mean load, baseline
 * @param maxOverMeanAfter   the same for the variant
 * @param droppedSlots       per MoE layer, token slots that went over an expert's capacity
 * @param attentionMassKept  per decoder layer, mean over heads and queries of the baseline's
 *                           attention probability that falls on keys the variant's pattern keeps (1 when unchanged)
 * @param baselineNanos      time of the baseline's forward pass
 * @param variantNanos       time of the variant's forward pass (rounding of weights included)
 * @param baselineBytes      memory the baseline's weights take at their stored precision
 * @param variantBytes       memory the variant's weights would take in its format (scales included)
 */
public record VariantMetrics(double[] klPerToken, double meanKl, double top1Agreement, double baselinePerplexity,
                             double variantPerplexity, int[] moeLayers, double[] routingFlips, double[] loadCvBefore,
                             double[] loadCvAfter, double[] maxOverMeanBefore, double[] maxOverMeanAfter,
                             long[] droppedSlots, double[] attentionMassKept, long baselineNanos, long variantNanos,
                             long baselineBytes, long variantBytes) {

    /** Routing flips averaged over MoE layers (0 for a dense model). */
    public double meanRoutingFlips() {
        double s = 0;
        for (double f : routingFlips) s += f;
        return routingFlips.length == 0 ? 0 : s / routingFlips.length;
    }

    /** Attention mass kept, averaged over layers. */
    public double meanAttentionMassKept() {
        double s = 0;
        for (double m : attentionMassKept) s += m;
        return attentionMassKept.length == 0 ? 1 : s / attentionMassKept.length;
    }

    public long totalDroppedSlots() {
        long s = 0;
        for (long d : droppedSlots) s += d;
        return s;
    }
}
