package io.moescope.backend.java;

import static io.moescope.backend.java.JavaTensor.t;

import io.moescope.backend.AttentionGradients;
import io.moescope.backend.AttentionOutput;
import io.moescope.backend.AttentionSpec;
import io.moescope.backend.Tensor;
import java.util.Arrays;

/** Softmax attention, blocked for plain windows and row by row for other patterns, and its gradients. */
final class AttentionOps {
    private final Scheduler scheduler;

    AttentionOps(Scheduler scheduler) {
        this.scheduler = scheduler;
    }

    /**
     * Blocked like the matrix product: per head, PANEL queries at a time against all the keys they
     * may see, scores and values through VectorKernels.kernel, and the softmax down the panel's
     * columns (one lane per query), so no step needs a horizontal sum.
     */
    AttentionOutput attention(Tensor q, Tensor k, Tensor v, AttentionSpec s, boolean keepProbabilities) {
        if (!s.pattern().isPlainWindow()) return patternAttention(q, k, v, s, keepProbabilities);
        float[] qs = t(q).data, ks = t(k).data, vs = t(v).data;
        int T = s.tokens(), H = s.heads(), Hkv = s.kvHeads(), dqk = s.qkDim(), dv = s.vDim();
        int P = VectorKernels.PANEL, R = VectorKernels.TILE;
        // Per key/value head: keys as rows [T + R, dqk] and values transposed [dv rounded up to R, T],
        // zero padded so that the kernel's last tile of R rows never runs off the end.
        int vRows = (dv + R - 1) / R * R;
        float[][] keys = new float[Hkv][], valuesT = new float[Hkv][];
        scheduler.parallelFor(Hkv, (long) T * (dqk + dv), kh -> {
            float[] kp = new float[(T + R) * dqk], vt = new float[vRows * T];
            for (int j = 0; j < T; j++) {
                System.arraycopy(ks, (j * Hkv + kh) * dqk, kp, j * dqk, dqk);
                int vo = (j * Hkv + kh) * dv;
                for (int d = 0; d < dv; d++) vt[d * T + j] = vs[vo + d];
            }
            keys[kh] = kp;
            valuesT[kh] = vt;
        });
        float[] out = new float[T * H * dv];
        float[] probs = keepProbabilities ? new float[H * T * T] : null;
        int blocks = (T + P - 1) / P;
        // Later query blocks see more keys: hand them out first so that the threads finish together.
        scheduler.parallelFor(H * blocks, (long) P * T * (dqk + dv) / 2, task -> {
            int h = task % H, i0 = (blocks - 1 - task / H) * P;
            int kh = h / (H / Hkv);
            attentionBlock(qs, keys[kh], valuesT[kh], s, h, i0, out, probs);
        });
        return new AttentionOutput(JavaTensor.of(out, T, H * dv), probs == null ? null : JavaTensor.of(probs, H, T, T));
    }

    /**
     * Any {@link io.moescope.backend.AttentionPattern}, one (head, query) row at a time: the scores
     * of the visible keys, then, for keep-top-k, only those at or above the row's k-th highest
     * score (ties kept), softmax over what is left. Slower than the blocked path, which plain
     * windows keep.
     */
    private AttentionOutput patternAttention(Tensor q, Tensor k, Tensor v, AttentionSpec s, boolean keepProbabilities) {
        float[] qs = t(q).data, ks = t(k).data, vs = t(v).data;
        int T = s.tokens(), H = s.heads(), Hkv = s.kvHeads(), dqk = s.qkDim(), dv = s.vDim(), group = H / Hkv;
        int keep = s.pattern().keepTopK();
        float[] out = new float[T * H * dv];
        float[] probs = keepProbabilities ? new float[H * T * T] : null;
        scheduler.parallelFor(H * T, (long) T * (dqk + dv), hi -> {
            int h = hi / T, i = hi % T, kh = h / group;
            int qo = (i * H + h) * dqk;
            float[] score = new float[i + 1];
            int visible = 0;
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j <= i; j++) {
                if (!s.visible(i, j)) {
                    score[j] = Float.NEGATIVE_INFINITY;
                    continue;
                }
                score[j] = VectorKernels.dot(qs, qo, ks, (j * Hkv + kh) * dqk, dqk) * s.scale();
                max = Math.max(max, score[j]);
                visible++;
            }
            if (keep > 0 && visible > keep) {
                float[] sorted = score.clone();
                Arrays.sort(sorted);
                float threshold = sorted[sorted.length - keep];
                for (int j = 0; j <= i; j++) if (score[j] < threshold) score[j] = Float.NEGATIVE_INFINITY;
            }
            double sum = 0;
            float[] p = new float[i + 1];
            for (int j = 0; j <= i; j++) {
                p[j] = score[j] == Float.NEGATIVE_INFINITY ? 0f : (float) Math.exp(score[j] - max);
                sum += p[j];
            }
            float inv = (float) (1.0 / sum);
            int oo = (i * H + h) * dv;
            for (int j = 0; j <= i; j++) {
                if (p[j] == 0f) continue;
                p[j] *= inv;
                VectorKernels.axpy(p[j], vs, (j * Hkv + kh) * dv, out, oo, dv);
            }
            if (probs != null) System.arraycopy(p, 0, probs, (h * T + i) * T, i + 1);
        });
        return new AttentionOutput(JavaTensor.of(out, T, H * dv), probs == null ? null : JavaTensor.of(probs, H, T, T));
    }

    /** Queries [i0, i0 + PANEL) of head h: their context rows of out, and their probabilities when kept. */
    private static void attentionBlock(float[] qs, float[] kp, float[] vt, AttentionSpec s, int h, int i0, float[] out, float[] probs) {
        int T = s.tokens(), H = s.heads(), dqk = s.qkDim(), dv = s.vDim(), window = s.window();
        int P = VectorKernels.PANEL, R = VectorKernels.TILE;
        int i1 = Math.min(T, i0 + P);
        int jStart = window > 0 ? Math.max(0, i0 - window + 1) : 0, jEnd = i1, n = jEnd - jStart;
        float[] qp = new float[dqk * P];   // this block's queries, transposed and scaled
        for (int c = 0; c < i1 - i0; c++) {
            int qo = ((i0 + c) * H + h) * dqk;
            for (int d = 0; d < dqk; d++) qp[d * P + c] = qs[qo + d] * s.scale();
        }
        // Scores, key-major: pt[(j - jStart) * P + c] for query i0 + c and key j.
        float[] pt = new float[(n + R - 1) / R * R * P];
        for (int j = jStart; j < jEnd; j += R) VectorKernels.kernel(kp, j * dqk, dqk, qp, 0, dqk, pt, (j - jStart) * P);
        for (int j = Math.max(jStart, i0 + 1); j < jEnd; j++) {           // causal: key after query
            for (int c = 0; c < Math.min(P, j - i0); c++) pt[(j - jStart) * P + c] = Float.NEGATIVE_INFINITY;
        }
        if (window > 0) {                                                   // window: key too far back
            for (int j = jStart; j < Math.min(jEnd, i0 + P - window); j++) {
                for (int c = Math.max(0, j - i0 + window); c < P; c++) pt[(j - jStart) * P + c] = Float.NEGATIVE_INFINITY;
            }
        }
        float[] sums = new float[P];
        VectorKernels.expColumns(pt, n, sums);
        float[] acc = new float[R * P];
        for (int d0 = 0; d0 < dv; d0 += R) {
            VectorKernels.kernel(vt, d0 * T + jStart, T, pt, 0, n, acc, 0);
            for (int c = 0; c < i1 - i0; c++) {
                int oo = ((i0 + c) * H + h) * dv + d0;
                float inv = 1f / sums[c];
                for (int r = 0; r < Math.min(R, dv - d0); r++) out[oo + r] = acc[r * P + c] * inv;
            }
        }
        if (probs != null) {
            for (int c = 0; c < i1 - i0; c++) {
                int i = i0 + c, po = (h * T + i) * T;
                float inv = 1f / sums[c];
                for (int j = jStart; j <= i; j++) probs[po + j] = pt[(j - jStart) * P + c] * inv;
            }
        }
    }

    AttentionGradients attentionBackward(Tensor dContext, Tensor q, Tensor k, Tensor v, Tensor probabilities,
                                                AttentionSpec s) {
        if (probabilities == null) probabilities = attention(q, k, v, s, true).probabilities();
        float[] dO = t(dContext).data, qs = t(q).data, ks = t(k).data, vs = t(v).data, P = t(probabilities).data;
        int T = s.tokens(), H = s.heads(), Hkv = s.kvHeads(), dqk = s.qkDim(), dv = s.vDim(), group = H / Hkv;
        // Masked probabilities are zero, so any pattern's gradient follows from P; only the rows'
        // and columns' ranges use the window, which global tokens reach beyond.
        int window = s.pattern().global() == null ? s.window() : 0;
        float scale = s.scale();
        // Pass 1, per (head, query): dS = P * (dP - rowsum(P dP)) with dP = dO v^T, and dq = scale dS k.
        float[] dS = new float[H * T * T];
        float[] dq = new float[T * H * dqk];
        scheduler.parallelFor(H * T, (long) T * (dqk + dv), hi -> {
            int h = hi / T, i = hi % T, kh = h / group;
            int first = window > 0 ? Math.max(0, i - window + 1) : 0;
            int row = (h * T + i) * T, oo = (i * H + h) * dv, qo = (i * H + h) * dqk;
            float[] dP = new float[i + 1];
            double pdp = 0;
            for (int j = first; j <= i; j++) {
                dP[j] = VectorKernels.dot(dO, oo, vs, (j * Hkv + kh) * dv, dv);
                pdp += (double) P[row + j] * dP[j];
            }
            for (int j = first; j <= i; j++) {
                float ds = P[row + j] * (dP[j] - (float) pdp);
                dS[row + j] = ds;
                VectorKernels.axpy(ds * scale, ks, (j * Hkv + kh) * dqk, dq, qo, dqk);
            }
        });
        // Pass 2, per (kv head, key): sums over the queries and the query heads sharing this key,
        // so that no two tasks write the same dk or dv row.
        float[] dk = new float[T * Hkv * dqk], dvs = new float[T * Hkv * dv];
        scheduler.parallelFor(Hkv * T, (long) group * T * (dqk + dv) / 2, idx -> {
            int kh = idx / T, j = idx % T;
            int last = window > 0 ? Math.min(T - 1, j + window - 1) : T - 1;
            int ko = (j * Hkv + kh) * dqk, vo = (j * Hkv + kh) * dv;
            for (int h = kh * group; h < (kh + 1) * group; h++) {
                for (int i = j; i <= last; i++) {
                    int at = (h * T + i) * T + j;
                    VectorKernels.axpy(dS[at] * scale, qs, (i * H + h) * dqk, dk, ko, dqk);
                    VectorKernels.axpy(P[at], dO, (i * H + h) * dv, dvs, vo, dv);
                }
            }
        });
        return new AttentionGradients(JavaTensor.of(dq, t(q).shape), JavaTensor.of(dk, t(k).shape),
                JavaTensor.of(dvs, t(v).shape));
    }
}
