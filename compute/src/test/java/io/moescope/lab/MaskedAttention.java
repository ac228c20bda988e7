package io.moescope.lab;

import java.util.Arrays;

/**
 * Dense causal attention in double precision with an explicit mask, written from the
 * definitions and nothing else: the reference the backend's patterns are checked against.
 */
final class MaskedAttention {
    private MaskedAttention() {}

    /** Which keys a query sees, before any top-k. */
    interface Mask {
        boolean visible(int query, int key);
    }

    /**
     * Windows of {@code window} tokens starting at 0, stride, 2 stride, ...: a key is visible when
     * some window holds both it and the query (or either is global), and it is not after the query.
     */
    static Mask windows(int T, int window, int stride, boolean[] global) {
        boolean[][] m = new boolean[T][T];
        for (int start = 0; start < T; start += stride) {
            for (int i = start; i < Math.min(T, start + window); i++) {
                for (int j = start; j <= i; j++) m[i][j] = true;
            }
        }
        if (stride == 1) {   // Mixtral's window slides with the query: keys i - window + 1 .. i
            for (boolean[] row : m) Arrays.fill(row, false);
            for (int i = 0; i < T; i++) for (int j = Math.max(0, i - window + 1); j <= i; j++) m[i][j] = true;
        }
        for (int i = 0; i < T; i++) {
            for (int j = 0; j <= i; j++) if (global != null && (global[i] || global[j])) m[i][j] = true;
        }
        return (i, j) -> m[i][j];
    }

    static Mask causal() {
        return (i, j) -> j <= i;
    }

    /** Probabilities [H, T, T] (zero where masked) and context [T, H * dv] in out[0] and out[1]. */
    static double[][] run(float[] q, float[] k, float[] v, int T, int H, int Hkv, int dqk, int dv, double scale,
                          Mask mask, int keepTopK) {
        double[] probs = new double[H * T * T], ctx = new double[T * H * dv];
        for (int h = 0; h < H; h++) {
            int kh = h / (H / Hkv);
            for (int i = 0; i < T; i++) {
                double[] s = new double[T];
                Arrays.fill(s, Double.NEGATIVE_INFINITY);
                for (int j = 0; j <= i; j++) {
                    if (!mask.visible(i, j)) continue;
                    double d = 0;
                    for (int c = 0; c < dqk; c++) d += (double) q[(i * H + h) * dqk + c] * k[(j * Hkv + kh) * dqk + c];
                    s[j] = d * scale;
                }
                if (keepTopK > 0) {
                    double[] sorted = Arrays.stream(s).filter(x -> x > Double.NEGATIVE_INFINITY).sorted().toArray();
                    if (sorted.length > keepTopK) {
                        double threshold = sorted[sorted.length - keepTopK];
                        for (int j = 0; j < T; j++) if (s[j] < threshold) s[j] = Double.NEGATIVE_INFINITY;
                    }
                }
                double max = Arrays.stream(s).max().orElseThrow(), sum = 0;
                for (int j = 0; j < T; j++) sum += Math.exp(s[j] - max);
                for (int j = 0; j < T; j++) {
                    double p = Math.exp(s[j] - max) / sum;
                    probs[(h * T + i) * T + j] = p;
                    for (int c = 0; c < dv; c++) ctx[(i * H + h) * dv + c] += p * v[(j * Hkv + kh) * dv + c];
                }
            }
        }
        return new double[][]{probs, ctx};
    }
}
