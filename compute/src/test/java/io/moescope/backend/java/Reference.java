package io.moescope.backend.java;

import io.moescope.backend.RouterSpec;

/**
 * Double-precision forwards of the backend's operations, written from their definitions and
 * independently of the backend's code, for finite-difference checks of the backward operations.
 */
final class Reference {
    private Reference() {}

    static double[] embedding(double[] table, int D, int[] ids) {
        double[] out = new double[ids.length * D];
        for (int t = 0; t < ids.length; t++) System.arraycopy(table, ids[t] * D, out, t * D, D);
        return out;
    }

    /** x [T, K] w^T [K, N] + b. */
    static double[] linear(double[] x, int T, int K, double[] w, int N, double[] b) {
        double[] y = new double[T * N];
        for (int t = 0; t < T; t++) {
            for (int n = 0; n < N; n++) {
                double s = b == null ? 0 : b[n];
                for (int k = 0; k < K; k++) s += x[t * K + k] * w[n * K + k];
                y[t * N + n] = s;
            }
        }
        return y;
    }

    /** RMSNorm over consecutive groups of w.length values. */
    static double[] rmsNorm(double[] x, double[] w, double eps) {
        int d = w.length;
        double[] y = new double[x.length];
        for (int o = 0; o < x.length; o += d) {
            double ss = 0;
            for (int i = 0; i < d; i++) ss += x[o + i] * x[o + i];
            double inv = 1 / Math.sqrt(ss / d + eps);
            for (int i = 0; i < d; i++) y[o + i] = w[i] * x[o + i] * inv;
        }
        return y;
    }

    /**
     * Rotary embedding of x viewed as [T, heads, stride], dims [offset, offset + 2 half). Pair i is
     * (i, half + i), or (2i, 2i + 1) when interleaved; either way its result goes to (i, half + i).
     */
    static double[] rope(double[] x, int heads, int stride, int offset, float[] invFreq, double factor, boolean interleaved) {
        double[] y = x.clone();
        int half = invFreq.length, T = x.length / (heads * stride);
        for (int p = 0; p < T; p++) {
            for (int h = 0; h < heads; h++) {
                int base = (p * heads + h) * stride + offset;
                for (int i = 0; i < half; i++) {
                    double a = interleaved ? x[base + 2 * i] : x[base + i];
                    double b = interleaved ? x[base + 2 * i + 1] : x[base + half + i];
                    double angle = p * (double) invFreq[i];
                    double c = Math.cos(angle) * factor, s = Math.sin(angle) * factor;
                    y[base + i] = a * c - b * s;
                    y[base + half + i] = b * c + a * s;
                }
            }
        }
        return y;
    }

    /** Causal (optionally windowed) grouped-query softmax attention: context [T, H * dv]. */
    static double[] attention(double[] q, double[] k, double[] v, int T, int H, int Hkv, int dqk, int dv, double scale, int window) {
        double[] out = new double[T * H * dv];
        int group = H / Hkv;
        for (int h = 0; h < H; h++) {
            int kh = h / group;
            for (int i = 0; i < T; i++) {
                double[] s = new double[T];
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j <= i; j++) {
                    if (window > 0 && i - j >= window) continue;
                    double dot = 0;
                    for (int c = 0; c < dqk; c++) dot += q[(i * H + h) * dqk + c] * k[(j * Hkv + kh) * dqk + c];
                    s[j] = dot * scale;
                    max = Math.max(max, s[j]);
                }
                double sum = 0;
                for (int j = 0; j <= i; j++) if (window <= 0 || i - j < window) sum += Math.exp(s[j] - max);
                for (int j = 0; j <= i; j++) {
                    if (window > 0 && i - j >= window) continue;
                    double p = Math.exp(s[j] - max) / sum;
                    for (int c = 0; c < dv; c++) out[(i * H + h) * dv + c] += p * v[(j * Hkv + kh) * dv + c];
                }
            }
        }
        return out;
    }

    static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    static double[] swiglu(double[] gate, double[] up) {
        double[] y = new double[gate.length];
        for (int i = 0; i < y.length; i++) y[i] = gate[i] * sigmoid(gate[i]) * up[i];
        return y;
    }

    static double[] clamp(double[] x, double limit) {
        double[] y = new double[x.length];
        for (int i = 0; i < y.length; i++) y[i] = Math.max(-limit, Math.min(limit, x[i]));
        return y;
    }

    static double[] scaleRowsBySigmoid(double[] x, double[] gate) {
        int D = x.length / gate.length;
        double[] y = new double[x.length];
        for (int i = 0; i < y.length; i++) y[i] = x[i] * sigmoid(gate[i / D]);
        return y;
    }

    /** dst with columns [dstCol, dstCol + width) of row r replaced by src row r / divisor from srcCol. */
    static double[] copyColumns(double[] src, int srcWidth, int srcCol, int divisor, double[] dst, int dstWidth, int dstCol,
                                int rows, int width) {
        double[] y = dst.clone();
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < width; c++) y[r * dstWidth + dstCol + c] = src[(r / divisor) * srcWidth + srcCol + c];
        }
        return y;
    }

    static double[] softmax(double[] x, int off, int n) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) max = Math.max(max, x[off + i]);
        double sum = 0;
        double[] p = new double[n];
        for (int i = 0; i < n; i++) sum += p[i] = Math.exp(x[off + i] - max);
        for (int i = 0; i < n; i++) p[i] /= sum;
        return p;
    }

    /**
     * Routing of one token as the architectures define it: scores (softmax or sigmoid), the choice
     * (scores, plus bias for sigmoid, with groups outside the best keptGroups set to 0), the top k,
     * and their scores as weights, optionally renormalised, times the scaling.
     *
     * @param index receives the k chosen experts, best first
     * @return the k weights
     */
    static double[] route(RouterSpec spec, double[] logits, int off, double[] bias, int[] index) {
        int E = spec.experts(), k = spec.k(), G = spec.groups(), per = E / G;
        boolean sigmoid = spec.rule() == RouterSpec.Rule.SIGMOID_GROUP_TOP2;
        double[] scores = new double[E];
        if (sigmoid) {
            for (int e = 0; e < E; e++) scores[e] = sigmoid(logits[off + e]);
        } else {
            scores = softmax(logits, off, E);
        }
        double[] choice = scores.clone();
        if (sigmoid && bias != null) for (int e = 0; e < E; e++) choice[e] += bias[e];
        if (spec.rule() != RouterSpec.Rule.SOFTMAX) {
            double[] groupScore = new double[G];
            for (int g = 0; g < G; g++) {
                double[] s = java.util.Arrays.copyOfRange(choice, g * per, (g + 1) * per);
                java.util.Arrays.sort(s);
                groupScore[g] = sigmoid ? s[per - 1] + s[per - 2] : s[per - 1];
            }
            boolean[] kept = new boolean[G];
            for (int g : best(groupScore, spec.keptGroups())) kept[g] = true;
            for (int e = 0; e < E; e++) if (!kept[e / per]) choice[e] = 0;
        }
        int[] top = best(choice, k);
        double sum = 0;
        for (int e : top) sum += scores[e];
        double[] w = new double[k];
        for (int j = 0; j < k; j++) {
            index[j] = top[j];
            w[j] = (spec.renormalize() ? scores[top[j]] / sum : scores[top[j]]) * spec.scaling();
        }
        return w;
    }

    /** Indices of the n largest values, largest first. */
    private static int[] best(double[] v, int n) {
        Integer[] order = new Integer[v.length];
        for (int i = 0; i < v.length; i++) order[i] = i;
        java.util.Arrays.sort(order, (a, b) -> v[a] != v[b] ? Double.compare(v[b], v[a]) : Integer.compare(a, b));
        int[] out = new int[n];
        for (int i = 0; i < n; i++) out[i] = order[i];
        return out;
    }

    /** One SwiGLU expert on one row: down (silu(gate x) * up x). */
    static double[] expert(double[] x, int xo, int D, double[] gate, double[] up, double[] down, int I) {
        double[] h = new double[I];
        for (int i = 0; i < I; i++) {
            double g = 0, u = 0;
            for (int d = 0; d < D; d++) {
                g += gate[i * D + d] * x[xo + d];
                u += up[i * D + d] * x[xo + d];
            }
            h[i] = g * sigmoid(g) * u;
        }
        double[] y = new double[D];
        for (int d = 0; d < D; d++) for (int i = 0; i < I; i++) y[d] += down[d * I + i] * h[i];
        return y;
    }

    /** Mean cross-entropy of rows 0..T-2 against ids[1..T-1]. */
    static double nextTokenLoss(double[] logits, int[] ids) {
        int T = ids.length, V = logits.length / T;
        double total = 0;
        for (int p = 0; p < T - 1; p++) total -= Math.log(softmax(logits, p * V, V)[ids[p + 1]]);
        return total / (T - 1);
    }

    /** scale * sum_t sum_e c_e softmax(logits_t)_e. */
    static double softmaxWeightedSum(double[] logits, float[] c, double scale) {
        int E = c.length;
        double s = 0;
        for (int t = 0; t < logits.length / E; t++) {
            double[] p = softmax(logits, t * E, E);
            for (int e = 0; e < E; e++) s += c[e] * p[e];
        }
        return scale * s;
    }
}
