package io.moescope.model;

import java.util.stream.IntStream;

/**
 * Causal softmax attention with grouped key/value heads, optionally within a sliding window.
 * Returns the per-head probabilities too, since showing them is the point of this tool.
 */
final class ScaledDotProductAttention {
    private ScaledDotProductAttention() {}

    /**
     * @param q       [T, H, dqk]
     * @param k       [T, Hkv, dqk]
     * @param v       [T, Hkv, dv]
     * @param window  0 for full causal attention, else keys j with i - j &lt; window
     * @param probs   [H, T, T] to fill, or null
     * @return [T, H * dv]
     */
    static float[] compute(float[] q, float[] k, float[] v, int T, int H, int Hkv, int dqk, int dv,
                           float scale, int window, float[] probs) {
        float[] out = new float[T * H * dv];
        int group = H / Hkv;
        IntStream heads = IntStream.range(0, H);
        if ((long) T * T * H * dqk > 1 << 16) heads = heads.parallel();
        heads.forEach(h -> {
            int kh = h / group;
            float[] row = new float[T];
            for (int i = 0; i < T; i++) {
                int first = window > 0 ? Math.max(0, i - window + 1) : 0;
                int qo = (i * H + h) * dqk;
                float max = Float.NEGATIVE_INFINITY;
                for (int j = first; j <= i; j++) {
                    int ko = (j * Hkv + kh) * dqk;
                    float s = 0f;
                    for (int d = 0; d < dqk; d++) s += q[qo + d] * k[ko + d];
                    row[j] = s * scale;
                    max = Math.max(max, row[j]);
                }
                double sum = 0;
                for (int j = first; j <= i; j++) sum += Math.exp(row[j] - max);
                int oo = (i * H + h) * dv;
                for (int j = first; j <= i; j++) {
                    float p = (float) (Math.exp(row[j] - max) / sum);
                    if (probs != null) probs[(h * T + i) * T + j] = p;
                    int vo = (j * Hkv + kh) * dv;
                    for (int d = 0; d < dv; d++) out[oo + d] += p * v[vo + d];
                }
            }
        });
        return out;
    }
}
