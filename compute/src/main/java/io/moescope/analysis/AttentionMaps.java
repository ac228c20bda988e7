package io.moescope.analysis;

/**
 * One [T, T] attention map of a layer: a single head, or the mean or maximum over its heads (what
 * the large heatmap shows when no single head is selected).
 */
public final class AttentionMaps {
    private AttentionMaps() {}

    public enum Reduction { HEAD, MEAN, MAX }

    /** @param head used only for {@link Reduction#HEAD} */
    public static float[] map(Analysis a, int layer, Reduction reduction, int head) {
        int T = a.tokenCount(), H = a.heads(layer), n = T * T;
        float[] all = a.forward().attention().get(layer);
        if (all == null) return new float[n];
        float[] out = new float[n];
        switch (reduction) {
            case HEAD -> System.arraycopy(all, head * n, out, 0, n);
            case MEAN -> {
                for (int h = 0; h < H; h++) for (int i = 0; i < n; i++) out[i] += all[h * n + i];
                for (int i = 0; i < n; i++) out[i] /= H;
            }
            case MAX -> {
                for (int h = 0; h < H; h++) for (int i = 0; i < n; i++) out[i] = Math.max(out[i], all[h * n + i]);
            }
        }
        return out;
    }
}
