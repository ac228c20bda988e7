package io.moescope.analysis;

/**
 * What changed between two analyses of the same tokens (a baseline and a variant of the mechanism
 * lab), as matrices the difference heatmaps draw: attention variant minus baseline, routing changes
 * per token and MoE layer, and load per MoE layer and expert. Plain arithmetic on finished analyses,
 * shared by the workbench's compare mode and the report, so neither computes it on its own.
 */
public final class DifferenceMaps {
    private DifferenceMaps() {}

    /** [T, T]: the variant's attention minus the baseline's in a layer, reduced over heads the same way. */
    public static float[] attention(Analysis baseline, Analysis variant, int layer, AttentionMaps.Reduction reduction, int head) {
        sameTokens(baseline, variant);
        float[] b = AttentionMaps.map(baseline, layer, reduction, head), v = AttentionMaps.map(variant, layer, reduction, head);
        float[] d = new float[b.length];
        for (int i = 0; i < d.length; i++) d[i] = v[i] - b[i];
        return d;
    }

    /**
     * [MoE layers, T]: per token, how much its set of chosen experts changed, as the Jaccard distance
     * 1 - |B ∩ V| / |B ∪ V| (0 unchanged, 1 no expert in common). A token counts as a routing flip
     * when this is above zero. Layers are the MoE layers both analyses have, in order.
     */
    public static float[] routingChange(Analysis baseline, Analysis variant) {
        sameTokens(baseline, variant);
        int T = baseline.tokenCount(), L = Math.min(baseline.routing().size(), variant.routing().size());
        float[] out = new float[L * T];
        for (int i = 0; i < L; i++) {
            LayerRouting b = baseline.routing().get(i), v = variant.routing().get(i);
            for (int t = 0; t < T; t++) {
                int common = 0;
                for (int x = 0; x < b.k(); x++) {
                    int e = b.topkIndex()[t * b.k() + x];
                    for (int y = 0; y < v.k(); y++) if (v.topkIndex()[t * v.k() + y] == e) { common++; break; }
                }
                int union = b.k() + v.k() - common;
                out[i * T + t] = union == 0 ? 0 : 1f - (float) common / union;
            }
        }
        return out;
    }

    /** Tokens whose expert set changed, per MoE layer, from {@link #routingChange}. */
    public static int[] flips(float[] routingChange, int tokens) {
        int[] out = new int[tokens == 0 ? 0 : routingChange.length / tokens];
        for (int i = 0; i < routingChange.length; i++) if (routingChange[i] > 0) out[i / tokens]++;
        return out;
    }

    /** [MoE layers, E]: tokens per expert of the variant minus the baseline's. */
    public static float[] load(Analysis baseline, Analysis variant) {
        long[][] b = baseline.load().counts(), v = variant.load().counts();
        int L = Math.min(b.length, v.length), E = baseline.load().experts();
        float[] out = new float[L * E];
        for (int i = 0; i < L; i++) for (int e = 0; e < E; e++) out[i * E + e] = v[i][e] - b[i][e];
        return out;
    }

    /** Largest absolute value, at least {@code floor}: the symmetric range of a diverging colour scale. */
    public static double maxAbs(float[] values, double floor) {
        double m = floor;
        for (float x : values) if (Math.abs(x) > m) m = Math.abs(x);
        return m;
    }

    private static void sameTokens(Analysis baseline, Analysis variant) {
        if (!java.util.Arrays.equals(baseline.ids(), variant.ids())) {
            throw new IllegalArgumentException("a difference needs the same tokens on both sides ("
                    + baseline.tokenCount() + " vs " + variant.tokenCount() + " tokens)");
        }
    }
}
