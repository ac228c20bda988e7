package io.moescope.backend.java;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.moescope.backend.AttentionOutput;
import io.moescope.backend.AttentionSpec;
import io.moescope.backend.ExpertWeights;
import io.moescope.backend.RouterSpec;
import io.moescope.backend.Routing;
import io.moescope.backend.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
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
    @CsvSource({"16,64,96", "40,100,145", "9,8,200", "37,300,100", "12,260,96"})
    void linearWithoutBiasMatchesPlainLoops(int T, int K, int N) {
        Random r = new Random(T * 17L + N);
        float[] x = random(r, T * K), w = random(r, N * K);
        try (JavaBackend b = new JavaBackend(2)) {
            float[] got = b.download(b.linear(b.upload(x, T, K), b.upload(w, N, K), null));
            double[] want = Reference.linear(doubles(x), T, K, doubles(w), N, null);
            for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], 1e-4 * Math.sqrt(K), "out[" + i + "]");
        }
    }

    /** A weight's packed panels are dropped when it changes in place (an optimiser step, say). */
    @Test
    void linearSeesAWeightChangedInPlace() {
        int T = 20, K = 24, N = 50;
        Random r = new Random(3);
        float[] x = random(r, T * K), w = random(r, N * K);
        try (JavaBackend b = new JavaBackend(2)) {
            Tensor xt = b.upload(x, T, K), wt = b.upload(w, N, K);
            b.linear(xt, wt, null);                 // packs w
            b.scale(wt, 2f);
            float[] got = b.download(b.linear(xt, b.reshape(wt, N, K), null));
            double[] want = Reference.linear(doubles(x), T, K, doubles(w), N, null);
            for (int i = 0; i < want.length; i++) assertEquals(2 * want[i], got[i], 2e-4 * Math.sqrt(K), "out[" + i + "]");
            b.fill(b.reshape(wt, N * K), 0f);      // through another view of the same values
            for (float v : b.download(b.linear(xt, wt, null))) assertEquals(0f, v);
        }
    }

    /**
     * The experts' grouped products against one expert at a time in double: uneven groups (sizes
     * not multiples of the kernel's rows, one expert with every token, some with none), a width
     * that is not a multiple of the panel.
     */
    @ParameterizedTest
    @CsvSource({"37,24,40,6,2", "70,32,100,8,3", "5,16,16,4,1", "45,200,150,5,2"})
    void expertsMatchPlainLoops(int T, int D, int I, int E, int k) {
        Random r = new Random(T * 7L + E);
        float[] x = random(r, T * D);
        int[] idx = new int[T * k];
        float[] weight = new float[T * k];
        for (int t = 0; t < T; t++) {
            // expert 0 takes every token; the others are drawn from 1 .. E/2, so the upper half stays empty
            idx[t * k] = 0;
            for (int j = 1; j < k; j++) {
                int e;
                do e = 1 + r.nextInt(E / 2); while (contains(idx, t * k, j, e));
                idx[t * k + j] = e;
            }
            for (int j = 0; j < k; j++) weight[t * k + j] = r.nextFloat();
        }
        double[][] gate = new double[E][], up = new double[E][], down = new double[E][];
        try (JavaBackend b = new JavaBackend(2)) {
            List<Tensor> g = new ArrayList<>(), u = new ArrayList<>(), d = new ArrayList<>();
            for (int e = 0; e < E; e++) {
                float[] ge = random(r, I * D), ue = random(r, I * D), de = random(r, D * I);
                gate[e] = doubles(ge);
                up[e] = doubles(ue);
                down[e] = doubles(de);
                g.add(b.upload(ge, I, D));
                u.add(b.upload(ue, I, D));
                d.add(b.upload(de, D, I));
            }
            RouterSpec spec = new RouterSpec(RouterSpec.Rule.SOFTMAX, E, k, 1, 1, false, 1f);
            Routing routing = new Routing(spec, b.uploadInts(idx, T, k), b.upload(weight, T, k));
            float[] got = b.download(b.experts(b.upload(x, T, D), routing, new ExpertWeights(g, u, d)));
            double[] xd = doubles(x);
            for (int t = 0; t < T; t++) {
                double[] want = new double[D];
                for (int j = 0; j < k; j++) {
                    int e = idx[t * k + j];
                    double[] y = Reference.expert(xd, t * D, D, gate[e], up[e], down[e], I);
                    for (int c = 0; c < D; c++) want[c] += weight[t * k + j] * y[c];
                }
                for (int c = 0; c < D; c++) assertEquals(want[c], got[t * D + c], 1e-3 * Math.sqrt(D * I), "out[" + t + ", " + c + "]");
            }
        }
    }

    private static boolean contains(int[] a, int from, int n, int v) {
        for (int i = 0; i < n; i++) if (a[from + i] == v) return true;
        return false;
    }

    private static double[] doubles(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
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
