package io.moescope.analysis;

/**
 * How many tokens each routed expert received in each MoE layer, and the balance figures that MoE
 * papers report: coefficient of variation, max/mean, the Switch-style auxiliary loss, and how many
 * assignments a capacity factor would drop.
 *
 * @param layers       decoder-layer index of each MoE layer, in order
 * @param tokens       tokens routed per layer (the same in every layer)
 * @param counts       [moe layer][expert] top-k assignments (a token counts once for each expert it chose)
 * @param meanProb     [moe layer][expert] mean router probability over the tokens
 * @param auxLoss      E * sum_e f_e * P_e over all MoE layers' tokens together, as transformers'
 *                     load_balancing_loss_func computes it (before the coefficient)
 * @param auxLossPerLayer the same per layer
 */
public record ExpertLoad(int experts, int topK, int[] layers, long tokens, long[][] counts, double[][] meanProb,
                         double auxLoss, double[] auxLossPerLayer) {

    public int moeLayers() {
        return layers.length;
    }

    /** Standard deviation over mean of the counts of layer i (population std); 0 means perfectly even. */
    public double coefficientOfVariation(int i) {
        double mean = mean(i);
        if (mean == 0) return 0;
        double var = 0;
        for (long c : counts[i]) var += (c - mean) * (c - mean);
        return Math.sqrt(var / experts) / mean;
    }

    /** The busiest expert's load over the mean load: 1 is perfectly even, E means one expert took all. */
    public double maxOverMean(int i) {
        double mean = mean(i);
        if (mean == 0) return 0;
        long max = 0;
        for (long c : counts[i]) max = Math.max(max, c);
        return max / mean;
    }

    /** Slots per expert at this capacity factor, as GShard/Switch size them: ceil(cf * tokens * k / E). */
    public static long capacity(long tokens, int topK, int experts, double capacityFactor) {
        return (long) Math.ceil(capacityFactor * tokens * topK / experts - 1e-9);
    }

    /** Assignments beyond capacity in layer i: sum over experts of max(0, count - capacity). */
    public long dropped(int i, double capacityFactor) {
        long cap = capacity(tokens, topK, experts, capacityFactor);
        long d = 0;
        for (long c : counts[i]) d += Math.max(0, c - cap);
        return d;
    }

    /** Over all MoE layers. */
    public long dropped(double capacityFactor) {
        long d = 0;
        for (int i = 0; i < layers.length; i++) d += dropped(i, capacityFactor);
        return d;
    }

    /**
     * Several forward passes' loads as one: counts add up, mean probabilities are weighted by
     * tokens, and the auxiliary loss is recomputed from the sums.
     */
    public static ExpertLoad merge(java.util.List<ExpertLoad> parts) {
        ExpertLoad first = parts.getFirst();
        int n = first.layers.length, E = first.experts;
        long tokens = 0;
        long[][] counts = new long[n][E];
        double[][] probSum = new double[n][E];
        for (ExpertLoad p : parts) {
            tokens += p.tokens;
            for (int i = 0; i < n; i++) {
                for (int e = 0; e < E; e++) {
                    counts[i][e] += p.counts[i][e];
                    probSum[i][e] += p.meanProb[i][e] * p.tokens;
                }
            }
        }
        double[][] meanProb = new double[n][E];
        double[] auxPerLayer = new double[n];
        double[] allCounts = new double[E], allProb = new double[E];
        for (int i = 0; i < n; i++) {
            for (int e = 0; e < E; e++) {
                meanProb[i][e] = probSum[i][e] / tokens;
                auxPerLayer[i] += ((double) counts[i][e] / tokens) * meanProb[i][e] * E;
                allCounts[e] += counts[i][e];
                allProb[e] += probSum[i][e];
            }
        }
        double rows = (double) tokens * n, aux = 0;
        for (int e = 0; e < E; e++) aux += (allCounts[e] / rows) * (allProb[e] / rows);
        return new ExpertLoad(E, first.topK, first.layers, tokens, counts, meanProb, aux * E, auxPerLayer);
    }

    private double mean(int i) {
        return (double) tokens * topK / experts;
    }
}
