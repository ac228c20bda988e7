package io.moescope.backend.ptx;

import io.moescope.backend.AttentionGradients;
import io.moescope.backend.AttentionOutput;
import io.moescope.backend.AttentionPattern;
import io.moescope.backend.AttentionSpec;
import io.moescope.backend.Tensor;

/**
 * Causal attention as batched matrix products around a row softmax: scores [H, T, T] = scale q k^T
 * (tiles wholly above the diagonal skipped), softmax in place, context = P v (reading P only up to the
 * diagonal). The probabilities are materialised anyway, so keeping them costs nothing; the backward pass
 * reuses them. Without them, long sequences go by chunks of queries to bound the scratch memory. Heads
 * h share key/value head h / (H / Hkv).
 */
final class AttentionOps {
    private final Gpu gpu;
    private final Gemm gemm;

    AttentionOps(Gpu gpu, Gemm gemm) {
        this.gpu = gpu;
        this.gemm = gemm;
    }

    /**
     * Scores of more bytes than this are not made at once when the probabilities are not wanted: queries go
     * in chunks, so that long sequences need memory for a chunk of rows only.
     */
    static volatile long chunkBytes = Long.getLong("moescope.ptx.attentionChunkBytes", 1L << 30);

    AttentionOutput attention(Tensor qT, Tensor kT, Tensor vT, AttentionSpec s, boolean keepProbabilities) {
        PtxTensor q = Gpu.t(qT), k = Gpu.t(kT), v = Gpu.t(vT);
        check(q, k, v, s);
        int T = s.tokens(), H = s.heads(), dv = s.vDim();
        if (!keepProbabilities && 4L * H * T * T > chunkBytes) return new AttentionOutput(chunked(q, k, v, s), null);
        PtxTensor probs = probabilities(q, k, s);
        PtxTensor ctx = gpu.floats(T, H * dv);
        // ctx_h [T, dv] = P_h [T, T] v_kh, with v_kh(j, d) = v[j, kh, d]
        gemm.batched(T, dv, T, new Gemm.Operand(probs, 0, T, true, (long) T * T),
                new Gemm.Operand(v, 0, (long) s.kvHeads() * dv, false, dv), ctx, 0, (long) H * dv, dv, H,
                H / s.kvHeads(), 1f, 0f, null, Gemm.TRI_A_LOWER);
        if (keepProbabilities) return new AttentionOutput(ctx, probs);
        probs.close();
        return new AttentionOutput(ctx, null);
    }

    /** P [H, T, T]: softmax over each query's visible keys of scale q.k, zero elsewhere. */
    private PtxTensor probabilities(PtxTensor q, PtxTensor k, AttentionSpec s) {
        int T = s.tokens(), H = s.heads(), Hkv = s.kvHeads(), dqk = s.qkDim();
        PtxTensor scores = gpu.floats(H, T, T);
        gemm.batched(T, T, dqk, new Gemm.Operand(q, 0, (long) H * dqk, true, dqk),
                new Gemm.Operand(k, 0, (long) Hkv * dqk, true, dqk), scores, 0, T, (long) T * T, H, H / Hkv,
                s.scale(), 0f, null, Gemm.TRI_SKIP_UPPER_TILES);
        softmax(scores, T, H, 0, s);
        return scores;
    }

    /**
     * Scores of a head's queries q0 .. q0 + rows - 1 (rows of keys 0 .. q0 + rows - 1) into probabilities in
     * place; plain windows by the plain kernel, other patterns by the one with global tokens and top-k.
     */
    private void softmax(PtxTensor scores, int rows, int H, int q0, AttentionSpec s) {
        int keys = q0 + rows;
        AttentionPattern p = s.pattern();
        if (p.isPlainWindow()) {
            gpu.perWarp("attn_softmax", (long) H * rows, scores, scores, keys, (long) H * rows, s.window(), rows, q0);
            return;
        }
        PtxTensor global = null;
        if (p.global() != null) {
            float[] f = new float[s.tokens()];
            for (int t = 0; t < f.length; t++) f[t] = p.isGlobal(t) ? 1f : 0f;
            global = gpu.upload(f, f.length);
        }
        try {
            gpu.perWarp("attn_softmax_pattern", (long) H * rows, scores, scores, keys, (long) H * rows, p.window(), p.stride(),
                    global, p.keepTopK(), rows, q0);
        } finally {
            if (global != null) global.close();
        }
    }

    /**
     * The window the backward kernel may bound its rows by. Other patterns leave zero probabilities where a
     * key is hidden or not among the top k (so zero dS there too); the rows then cover every causal key.
     */
    private static int backwardWindow(AttentionSpec s) {
        return s.pattern().isPlainWindow() ? s.window() : 0;
    }

    /** The context by chunks of at least 128 queries, each against the keys up to its last query. */
    private PtxTensor chunked(PtxTensor q, PtxTensor k, PtxTensor v, AttentionSpec s) {
        int T = s.tokens(), H = s.heads(), Hkv = s.kvHeads(), dqk = s.qkDim(), dv = s.vDim(), group = H / Hkv;
        int chunk = (int) Math.max(128, Math.min(T, chunkBytes / (4L * H * T)) / 128 * 128);
        PtxTensor ctx = gpu.floats(T, H * dv);
        for (int q0 = 0; q0 < T; q0 += chunk) {
            int rows = Math.min(chunk, T - q0), keys = q0 + rows;
            try (PtxTensor scores = gpu.floats(H, rows, keys)) {
                gemm.batched(rows, keys, dqk, new Gemm.Operand(q, (long) q0 * H * dqk, (long) H * dqk, true, dqk),
                        new Gemm.Operand(k, 0, (long) Hkv * dqk, true, dqk), scores, 0, keys, (long) rows * keys, H, group,
                        s.scale(), 0f, null, Gemm.TRI_NONE);
                softmax(scores, rows, H, q0, s);
                gemm.batched(rows, dv, keys, new Gemm.Operand(scores, 0, keys, true, (long) rows * keys),
                        new Gemm.Operand(v, 0, (long) Hkv * dv, false, dv), ctx, (long) q0 * H * dv, (long) H * dv, dv, H,
                        group, 1f, 0f, null, Gemm.TRI_NONE);
            }
        }
        return ctx;
    }

    /**
     * dP = dC v^T, dS = P (dP - rowsum(P dP)) scale, dq = dS k, dk = dS^T q and dv = P^T dC summed over the
     * query heads of each key head. Recomputes P when not given.
     */
    AttentionGradients attentionBackward(Tensor dCT, Tensor qT, Tensor kT, Tensor vT, Tensor probsT, AttentionSpec s) {
        PtxTensor dC = Gpu.t(dCT), q = Gpu.t(qT), k = Gpu.t(kT), v = Gpu.t(vT);
        check(q, k, v, s);
        int T = s.tokens(), H = s.heads(), Hkv = s.kvHeads(), dqk = s.qkDim(), dv = s.vDim(), group = H / Hkv;
        long TT = (long) T * T;
        PtxTensor probs = probsT != null ? Gpu.t(probsT) : probabilities(q, k, s);
        if (probs.size() != H * TT) throw new IllegalArgumentException("attentionBackward: probabilities of " + probs.size() + " values, want " + H * TT);
        PtxTensor dS = gpu.floats(H, T, T);
        gemm.batched(T, T, dv, new Gemm.Operand(dC, 0, (long) H * dv, true, dv),
                new Gemm.Operand(v, 0, (long) Hkv * dv, true, dv), dS, 0, T, TT, H, group, 1f, 0f, null,
                Gemm.TRI_SKIP_UPPER_TILES);
        gpu.perWarp("attn_softmax_backward", (long) H * T, probs, dS, T, (long) H * T, backwardWindow(s), s.scale());

        PtxTensor dq = gpu.floats(q.shape());
        gemm.batched(T, dqk, T, new Gemm.Operand(dS, 0, T, true, TT),
                new Gemm.Operand(k, 0, (long) Hkv * dqk, false, dqk), dq, 0, (long) H * dqk, dqk, H, group, 1f, 0f,
                null, Gemm.TRI_A_LOWER);
        PtxTensor dk = gpu.floats(k.shape()), dvT = gpu.floats(v.shape());
        // One pass per position g in the group: batch over key heads kh, query head h = kh * group + g.
        for (int g = 0; g < group; g++) {
            float beta = g == 0 ? 0f : 1f;
            gemm.batched(T, dqk, T, new Gemm.Operand(dS, g * TT, T, false, group * TT),
                    new Gemm.Operand(q, (long) g * dqk, (long) H * dqk, false, (long) group * dqk), dk, 0,
                    (long) Hkv * dqk, dqk, Hkv, 1, 1f, beta, null, Gemm.TRI_A_UPPER);
            gemm.batched(T, dv, T, new Gemm.Operand(probs, g * TT, T, false, group * TT),
                    new Gemm.Operand(dC, (long) g * dv, (long) H * dv, false, (long) group * dv), dvT, 0,
                    (long) Hkv * dv, dv, Hkv, 1, 1f, beta, null, Gemm.TRI_A_UPPER);
        }
        dS.close();
        if (probsT == null) probs.close();
        return new AttentionGradients(dq, dk, dvT);
    }

    private static void check(PtxTensor q, PtxTensor k, PtxTensor v, AttentionSpec s) {
        long T = s.tokens();
        if (q.size() != T * s.heads() * s.qkDim() || k.size() != T * s.kvHeads() * s.qkDim() || v.size() != T * s.kvHeads() * s.vDim()) {
            throw new IllegalArgumentException("attention: q " + Tensor.describe(q.shape()) + ", k " + Tensor.describe(k.shape())
                    + ", v " + Tensor.describe(v.shape()) + " do not fit " + s);
        }
    }
}
