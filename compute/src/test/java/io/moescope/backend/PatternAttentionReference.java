package io.moescope.backend;

import java.util.Arrays;

/**
 * Attention under any {@link AttentionPattern}, written straight from {@link AttentionPattern#visible}
 * and its top-k rule in double precision, as an independent reference for the GPU backends' pattern
 * kernels (the java backend's own pattern path is not what they are checked against).
 * Layouts as {@link Backend#attention}: q [T, H, dqk], k [T, Hkv, dqk], v [T, Hkv, dv], context
 * [T, H * dv], probabilities [H, T, T].
 */
public final class PatternAttentionReference {
    public final double[] probabilities;
    public final double[] context;
    public final float[] q, k, v;
    public final AttentionSpec s;
    /** An upstream gradient for {@link #backward}, uniform in [-1, 1) (for cases made by {@link #random}). */
    public float[] dContext;

    public PatternAttentionReference(float[] q, float[] k, float[] v, AttentionSpec s) {
        this.q = q;
        this.k = k;
        this.v = v;
        this.s = s;
        int T = s.tokens(), H = s.heads(), group = H / s.kvHeads(), dv = s.vDim();
        probabilities = new double[H * T * T];
        context = new double[T * H * dv];
        for (int h = 0; h < H; h++) {
            int kh = h / group;
            for (int i = 0; i < T; i++) {
                double[] score = new double[T];
                boolean[] kept = new boolean[T];
                int visible = 0;
                for (int j = 0; j < T; j++) {
                    if (!s.visible(i, j)) continue;
                    score[j] = s.scale() * dot(q, (i * H + h) * s.qkDim(), k, (j * s.kvHeads() + kh) * s.qkDim(), s.qkDim());
                    kept[j] = true;
                    visible++;
                }
                int topK = s.pattern().keepTopK();
                if (topK > 0 && visible > topK) {
                    double[] sorted = new double[visible];
                    int n = 0;
                    for (int j = 0; j < T; j++) if (kept[j]) sorted[n++] = score[j];
                    Arrays.sort(sorted);
                    double threshold = sorted[visible - topK];
                    for (int j = 0; j < T; j++) kept[j] &= score[j] >= threshold;
                }
                double max = Double.NEGATIVE_INFINITY, sum = 0;
                for (int j = 0; j < T; j++) if (kept[j]) max = Math.max(max, score[j]);
                for (int j = 0; j < T; j++) if (kept[j]) sum += Math.exp(score[j] - max);
                for (int j = 0; j < T; j++) {
                    double p = kept[j] ? Math.exp(score[j] - max) / sum : 0;
                    probabilities[(h * T + i) * T + j] = p;
                    for (int d = 0; d < dv; d++) context[(i * H + h) * dv + d] += p * v[(j * s.kvHeads() + kh) * dv + d];
                }
            }
        }
    }

    /**
     * A test case: T tokens, H query and Hkv key/value heads of widths 12 (q, k) and 20 (v), scale 0.6,
     * the pattern given, and q, k, v and dContext uniform in [-1, 1) from the seed.
     */
    public static PatternAttentionReference random(AttentionPattern pattern, int T, int H, int Hkv, long seed) {
        AttentionSpec s = new AttentionSpec(T, H, Hkv, 12, 20, 0.6f, pattern);
        java.util.Random rnd = new java.util.Random(seed);
        float[] q = uniform(rnd, T * H * 12), k = uniform(rnd, T * Hkv * 12), v = uniform(rnd, T * Hkv * 20);
        PatternAttentionReference r = new PatternAttentionReference(q, k, v, s);
        r.dContext = uniform(rnd, T * H * 20);
        return r;
    }

    /** Asserts a backend's context (within 2e-5 of the largest value) and, when given, probabilities (2e-6, exact zeros). */
    public void assertForward(String what, float[] gotContext, float[] gotProbabilities) {
        check(what + ": context", relativeError(context, gotContext) < 2e-5);
        if (gotProbabilities == null) return;
        check(what + ": probabilities size", gotProbabilities.length == probabilities.length);
        for (int x = 0; x < probabilities.length; x++) {
            boolean ok = probabilities[x] == 0 ? gotProbabilities[x] == 0f : Math.abs(probabilities[x] - gotProbabilities[x]) <= 2e-6;
            check(what + ": probability at " + x + " is " + gotProbabilities[x] + ", want " + probabilities[x]
                    + (probabilities[x] == 0 ? " (hidden or dropped key)" : ""), ok);
        }
    }

    /** Asserts a backend's gradients for {@link #dContext}: dq and dk within 1e-4 of the largest value, dv 2e-5. */
    public void assertGradients(String what, float[] dq, float[] dk, float[] dv) {
        double[][] want = backward(dContext);
        check(what + ": dq", relativeError(want[0], dq) < 1e-4);
        check(what + ": dk", relativeError(want[1], dk) < 1e-4);
        check(what + ": dv", relativeError(want[2], dv) < 2e-5);
    }

    private static void check(String what, boolean ok) {
        if (!ok) throw new AssertionError(what);
    }

    private static float[] uniform(java.util.Random rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = rnd.nextFloat() * 2 - 1;
        return x;
    }

    /** dq, dk, dv for the upstream gradient dContext [T, H * dv] (top-k selection taken as fixed). */
    public double[][] backward(float[] dContext) {
        int T = s.tokens(), H = s.heads(), Hkv = s.kvHeads(), group = H / Hkv, dqk = s.qkDim(), dv = s.vDim();
        double[] dq = new double[T * H * dqk], dk = new double[T * Hkv * dqk], dV = new double[T * Hkv * dv];
        for (int h = 0; h < H; h++) {
            int kh = h / group;
            for (int i = 0; i < T; i++) {
                double[] dP = new double[T];
                double rowDot = 0;
                for (int j = 0; j < T; j++) {
                    double p = probabilities[(h * T + i) * T + j];
                    dP[j] = dot(dContext, (i * H + h) * dv, v, (j * Hkv + kh) * dv, dv);
                    rowDot += p * dP[j];
                }
                for (int j = 0; j < T; j++) {
                    double p = probabilities[(h * T + i) * T + j];
                    if (p == 0) continue;
                    double dS = p * (dP[j] - rowDot) * s.scale();
                    for (int d = 0; d < dqk; d++) {
                        dq[(i * H + h) * dqk + d] += dS * k[(j * Hkv + kh) * dqk + d];
                        dk[(j * Hkv + kh) * dqk + d] += dS * q[(i * H + h) * dqk + d];
                    }
                    for (int d = 0; d < dv; d++) dV[(j * Hkv + kh) * dv + d] += p * dContext[(i * H + h) * dv + d];
                }
            }
        }
        return new double[][]{dq, dk, dV};
    }

    /** Patterns every GPU backend is tested with: strided and block windows, global tokens, top-k. */
    public static AttentionPattern[] testPatterns(int T) {
        boolean[] global = new boolean[T];
        global[0] = true;
        if (T > 5) global[5] = true;
        return new AttentionPattern[]{
                new AttentionPattern(6, 3, null, 0),
                new AttentionPattern(4, 4, null, 0),
                new AttentionPattern(3, 1, global, 0),
                new AttentionPattern(0, 1, null, 4),
                new AttentionPattern(8, 2, global, 3),
        };
    }

    /** Max |want - got| over max |want| (0 when both are zero). */
    public static double relativeError(double[] want, float[] got) {
        if (want.length != got.length) throw new AssertionError("sizes differ: want " + want.length + ", got " + got.length);
        double max = 0, diff = 0;
        for (int i = 0; i < want.length; i++) {
            max = Math.max(max, Math.abs(want[i]));
            diff = Math.max(diff, Math.abs(want[i] - got[i]));
            if (Double.isNaN(got[i])) return Double.NaN;
        }
        return diff / Math.max(max, 1e-12);
    }

    private static double dot(float[] a, int ai, float[] b, int bi, int n) {
        double s = 0;
        for (int d = 0; d < n; d++) s += (double) a[ai + d] * b[bi + d];
        return s;
    }
}
