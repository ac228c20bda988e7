package io.moescope.backend.opencl;

import io.moescope.backend.AttentionGradients;
import io.moescope.backend.AttentionOutput;
import io.moescope.backend.AttentionSpec;
import io.moescope.backend.Tensor;

/** Causal attention and its gradients; one work-group per (head, query) row where rows reduce. */
final class AttentionOps {
    /** Value dimensions one work-item of the attention kernel can own (ATT_CHUNKS in attention.cl). */
    private static final int CHUNKS = 8;
    /** Rows and columns of the tiled kernels' work-groups: probabilities, dP and the backward products (ATT_TILE in attention.cl). */
    private static final int TILE = 16;
    /** Whether the flash kernel is used where it applies (-Dmoescope.opencl.flash=false compares with the per-row kernel). */
    static volatile boolean flash = Boolean.parseBoolean(System.getProperty("moescope.opencl.flash", "true"));

    private final ClContext cl;

    AttentionOps(ClContext cl) {
        this.cl = cl;
    }

    AttentionOutput forward(Tensor q, Tensor k, Tensor v, AttentionSpec s, boolean keepProbabilities) {
        int T = s.tokens(), H = s.heads();
        if (s.vDim() > CHUNKS * cl.reductionSize) {
            throw new IllegalArgumentException("value heads of " + s.vDim() + " exceed this device's attention kernel limit of "
                    + CHUNKS * cl.reductionSize);
        }
        checkSize("q", q, (long) T * H * s.qkDim());
        checkSize("k", k, (long) T * s.kvHeads() * s.qkDim());
        checkSize("v", v, (long) T * s.kvHeads() * s.vDim());
        if (!s.pattern().isPlainWindow()) return patterned(q, k, v, s, keepProbabilities);
        FlashTile tile = flashTile(cl, s);
        if (tile != null && !keepProbabilities) return new AttentionOutput(flash(q, k, v, s, tile, null), null);
        if (tile != null && takesTiles(cl)) {
            // the context by the flash kernel, then the probabilities from each row's log-sum-exp
            try (OpenClTensor lse = cl.floats(H, T)) {
                OpenClTensor out = flash(q, k, v, s, tile, lse);
                OpenClTensor probs = cl.floats(H, T, T);
                rowProducts(q, k, lse, probs, s, s.qkDim(), s.scale(), s.window());
                return new AttentionOutput(out, probs);
            }
        }
        OpenClTensor out = cl.floats(T, H * s.vDim());
        OpenClTensor probs = keepProbabilities ? cl.floats(H, T, T) : null;
        cl.perGroup("attention", (long) H * T, q, k, v, out, probs, keepProbabilities, T, H, s.kvHeads(), s.qkDim(),
                s.vDim(), s.scale(), s.window(), new Kernels.Local(4L * Math.max(1, s.qkDim())),
                new Kernels.Local(4L * cl.reductionSize));
        return new AttentionOutput(out, probs);
    }

    /** The flash kernel's tile for these heads on this device, or null when the per-row kernel runs. */
    static FlashTile flashTile(ClContext cl, AttentionSpec s) {
        return flash ? FlashTile.choose(cl.flashTile, cl.wideFlash, cl.localMemory, cl.reductionSize, s.qkDim(), s.vDim()) : null;
    }

    /**
     * Whether the device takes the tiled kernels' TILE x TILE work-items a group: then probabilities, where
     * the flash kernel runs, come from its log-sum-exp, and the backward pass goes by tiles.
     */
    static boolean takesTiles(ClContext cl) {
        return cl.maxWorkGroup >= TILE * TILE;
    }

    /**
     * The context by tiles of queries against tiles of keys in local memory, without materialised scores;
     * with lse not null, also each row's base-2 log-sum-exp of its scaled scores, [H, T].
     */
    private OpenClTensor flash(Tensor q, Tensor k, Tensor v, AttentionSpec s, FlashTile tile, OpenClTensor lse) {
        int T = s.tokens(), H = s.heads(), dqk = s.qkDim(), dv = s.vDim();
        OpenClTensor out = cl.floats(T, H * dv);
        long groups = (long) H * ((T + tile.queries() - 1) / tile.queries());
        int group = tile.workItems();
        Kernels.Local[] local = tile.localBuffers(dqk, dv);
        Kernels program = tile.equals(cl.wideFlash) ? cl.wideFlashKernels : cl.kernels;
        program.launch("attention_flash", new long[]{groups * group}, new long[]{group}, q, k, v, out, T, H,
                s.kvHeads(), dqk, dv, s.scale(), s.window(), lse, lse != null ? 1 : 0, local[0], local[1], local[2], local[3]);
        return out;
    }

    /**
     * Any {@link io.moescope.backend.AttentionPattern}: scores materialised with -inf where a key is not
     * visible, top-k and softmax per row in place, then the context from the probabilities.
     */
    private AttentionOutput patterned(Tensor q, Tensor k, Tensor v, AttentionSpec s, boolean keepProbabilities) {
        int T = s.tokens(), H = s.heads(), Hkv = s.kvHeads();
        OpenClTensor probs = cl.floats(H, T, T);
        try (OpenClTensor global = globalFlags(s)) {
            cl.perItem("attention_pattern_scores", (long) H * T * T, q, k, probs, T, H, Hkv, s.qkDim(), s.scale(),
                    s.pattern().window(), s.pattern().stride(), global, global != null);
        }
        cl.perGroup("attention_pattern_softmax", (long) H * T, probs, T, s.pattern().keepTopK());
        OpenClTensor out = cl.floats(T, H * s.vDim());
        cl.perItem("attention_pattern_context", (long) T * H * s.vDim(), probs, v, out, T, H, Hkv, s.vDim());
        if (keepProbabilities) return new AttentionOutput(out, probs);
        probs.close();
        return new AttentionOutput(out, null);
    }

    /** The global-token flags as 0/1 floats on the device, or null when the pattern has none. */
    private OpenClTensor globalFlags(AttentionSpec s) {
        if (s.pattern().global() == null) return null;
        float[] f = new float[s.tokens()];
        for (int t = 0; t < f.length; t++) f[t] = s.pattern().isGlobal(t) ? 1f : 0f;
        OpenClTensor g = cl.floats(f.length);
        cl.write(g.mem(), f);
        return g;
    }

    /**
     * The window the backward kernels may bound their loops by. Other patterns leave zero probabilities
     * where a key is hidden or not among the top k (so zero dS there too); their loops cover every causal key.
     */
    private static int backwardWindow(AttentionSpec s) {
        return s.pattern().isPlainWindow() ? s.window() : 0;
    }

    AttentionGradients backward(Tensor dContext, Tensor q, Tensor k, Tensor v, Tensor probabilities, AttentionSpec s) {
        int T = s.tokens(), H = s.heads(), Hkv = s.kvHeads(), dqk = s.qkDim(), dv = s.vDim(), window = backwardWindow(s);
        OpenClTensor recomputed = null;
        if (probabilities == null) {
            AttentionOutput a = forward(q, k, v, s, true);
            a.context().close();
            recomputed = OpenClTensor.of(a.probabilities());
            probabilities = recomputed;
        }
        try (OpenClTensor ds = cl.floats(H, T, T)) {
            OpenClTensor dq = cl.floats(T, H, dqk), dk = cl.floats(T, Hkv, dqk), dvOut = cl.floats(T, Hkv, dv);
            if (tiledBackward(cl)) {
                rowProducts(dContext, v, null, ds, s, dv, 1f, window);
                cl.perGroup("attention_backward_softmax", (long) H * T, probabilities, ds, T);
                product(ds, k, dq, s, dqk, s.scale(), window, false);
                product(ds, q, dk, s, dqk, s.scale(), window, true);
                product(probabilities, dContext, dvOut, s, dv, 1f, window, true);
            } else {
                cl.perGroup("attention_backward_scores", (long) H * T, dContext, v, probabilities, ds, T, H, Hkv, dv, window,
                        new Kernels.Local(4L * Math.max(1, dv)));
                cl.perItem("attention_backward_dq", (long) T * H * dqk, ds, k, dq, T, H, Hkv, dqk, s.scale(), window);
                cl.perItem("attention_backward_dk", (long) T * Hkv * dqk, ds, q, dk, T, H, Hkv, dqk, s.scale(), window);
                cl.perItem("attention_backward_dv", (long) T * Hkv * dv, probabilities, dContext, dvOut, T, H, Hkv, dv, window);
            }
            return new AttentionGradients(dq, dk, dvOut);
        } finally {
            if (recomputed != null) recomputed.close();
        }
    }

    /** Whether the backward pass goes by tiles: where the device takes them, unless -Dmoescope.opencl.flash=false asks for the first kernels throughout. */
    static boolean tiledBackward(ClContext cl) {
        return flash && takesTiles(cl);
    }

    /**
     * out [H, T, T] = rows of a (each head's) times rows of b (its key head's) scaled by mul, zero where a key is
     * hidden; with lse, exp2 of that (scaled by log2(e) too) minus the row's lse: see attention_row_products.
     */
    private void rowProducts(Tensor a, Tensor b, OpenClTensor lse, OpenClTensor out, AttentionSpec s, int width, float mul, int window) {
        int T = s.tokens();
        cl.kernels.launch("attention_row_products", new long[]{T, T, s.heads()}, new long[]{TILE, TILE, 1}, a, b, lse,
                lse != null ? 1 : 0, out, T, s.heads(), s.kvHeads(), width, mul, window, new Kernels.Local(4L * TILE * TILE),
                new Kernels.Local(4L * TILE * (TILE + 1)));
    }

    /** dq (byKey false: rows are queries of each head) or dk, dv (rows are keys of each key head): see attention.cl. */
    private void product(Tensor a, Tensor b, OpenClTensor out, AttentionSpec s, int width, float alpha, int window, boolean byKey) {
        int T = s.tokens();
        cl.kernels.launch("attention_backward_product", new long[]{width, T, byKey ? s.kvHeads() : s.heads()},
                new long[]{TILE, TILE, 1}, a, b, out, T, s.heads(), s.kvHeads(), width, alpha, window, byKey ? 1 : 0,
                new Kernels.Local(4L * TILE * (TILE + 1)), new Kernels.Local(4L * TILE * (TILE + 1)));
    }

    private static void checkSize(String what, Tensor t, long want) {
        if (t.size() != want) {
            throw new IllegalArgumentException("attention: " + what + " has " + t.size() + " values, the spec needs " + want);
        }
    }
}
