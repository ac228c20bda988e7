package io.moescope.backend.java;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.moescope.backend.AttentionOutput;
import io.moescope.backend.AttentionSpec;
import io.moescope.backend.Tensor;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The blocked matrix product and attention against plain double-precision loops, on shapes with
 * ragged edges (sizes that are not multiples of the panel, the tile or the vector length), which
 * the conformance models (24 tokens) do not all reach.
 */
class BlockedKernelsTest {

    private static float[] random(Random r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) r.nextGaussian();
        return v;
    }

    @ParameterizedTest
    @CsvSource({"1,40,13", "5,64,16", "15,33,9", "16,48,24", "33,40,13", "70,130,17", "100,512,64"})
    void linearMatchesPlainLoops(int T, int K, int N) {
        Random r = new Random(T * 31L + K);
        float[] x = random(r, T * K), w = random(r, N * K), bias = random(r, N);
        try (JavaBackend b = new JavaBackend(2)) {
            float[] got = b.download(b.linear(b.upload(x, T, K), b.upload(w, N, K), b.upload(bias, N)));
            for (int t = 0; t < T; t++) {
                for (int j = 0; j < N; j++) {
                    double want = bias[j];
                    for (int k = 0; k < K; k++) want += (double) x[t * K + k] * w[j * K + k];
                    assertEquals(want, got[t * N + j], 1e-4 * Math.sqrt(K), "out[" + t + ", " + j + "]");
                }
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"1,2,1,16,16,0", "24,4,2,16,16,0", "33,2,2,24,16,0", "70,4,1,20,12,0", "70,2,2,16,16,9", "100,2,1,16,8,40"})
    void attentionMatchesPlainLoops(int T, int H, int Hkv, int dqk, int dv, int window) {
        Random r = new Random(T * 131L + H + window);
        float[] q = random(r, T * H * dqk), k = random(r, T * Hkv * dqk), v = random(r, T * Hkv * dv);
        AttentionSpec s = new AttentionSpec(T, H, Hkv, dqk, dv, (float) (1 / Math.sqrt(dqk)), window);
        try (JavaBackend b = new JavaBackend(2)) {
            AttentionOutput a = b.attention(b.upload(q, T, H, dqk), b.upload(k, T, Hkv, dqk), b.upload(v, T, Hkv, dv), s, true);
            float[] ctx = b.download(a.context()), probs = b.download(a.probabilities());
            for (int h = 0; h < H; h++) {
                int kh = h / (H / Hkv);
                for (int i = 0; i < T; i++) {
                    double[] p = new double[T];
                    double max = Double.NEGATIVE_INFINITY, sum = 0;
                    for (int j = 0; j < T; j++) {
                        if (!s.visible(i, j)) continue;
                        double dot = 0;
                        for (int d = 0; d < dqk; d++) dot += (double) q[(i * H + h) * dqk + d] * k[(j * Hkv + kh) * dqk + d];
                        p[j] = dot * s.scale();
                        max = Math.max(max, p[j]);
                    }
                    for (int j = 0; j < T; j++) if (s.visible(i, j)) sum += Math.exp(p[j] - max);
                    for (int j = 0; j < T; j++) {
                        p[j] = s.visible(i, j) ? Math.exp(p[j] - max) / sum : 0;
                        assertEquals(p[j], probs[(h * T + i) * T + j], 1e-5, "p[" + h + ", " + i + ", " + j + "]");
                    }
                    for (int d = 0; d < dv; d++) {
                        double want = 0;
                        for (int j = 0; j < T; j++) want += p[j] * v[(j * Hkv + kh) * dv + d];
                        assertEquals(want, ctx[(i * H + h) * dv + d], 1e-4, "context[" + i + ", " + h + ", " + d + "]");
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"40,2", "5,1"})
    void attentionWithoutProbabilitiesGivesTheSameContext(int T, int H) {
        Random r = new Random(7);
        int d = 16;
        float[] q = random(r, T * H * d), k = random(r, T * H * d), v = random(r, T * H * d);
        AttentionSpec s = new AttentionSpec(T, H, H, d, d, 0.25f, 0);
        try (JavaBackend b = new JavaBackend(2)) {
            Tensor qt = b.upload(q, T, H, d), kt = b.upload(k, T, H, d), vt = b.upload(v, T, H, d);
            float[] with = b.download(b.attention(qt, kt, vt, s, true).context());
            float[] without = b.download(b.attention(qt, kt, vt, s, false).context());
            // Not bit for bit: the Vector API's exp may round differently once the JIT compiles it.
            org.junit.jupiter.api.Assertions.assertArrayEquals(with, without, 1e-6f);
        }
    }
}
