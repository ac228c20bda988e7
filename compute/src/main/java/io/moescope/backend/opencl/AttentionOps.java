package io.moescope.backend.opencl;

import io.moescope.backend.AttentionGradients;
import io.moescope.backend.AttentionOutput;
import io.moescope.backend.AttentionSpec;
import io.moescope.backend.Tensor;

/** Causal attention and its gradients; one work-group per (head, query) row where rows reduce. */
final class AttentionOps {
    /** Value dimensions one work-item of the attention kernel can own (ATT_CHUNKS in attention.cl). */
    private static final int CHUNKS = 8;

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
        OpenClTensor out = cl.floats(T, H * s.vDim());
        OpenClTensor probs = keepProbabilities ? cl.floats(H, T, T) : null;
        cl.perGroup("attention", (long) H * T, q, k, v, out, probs, keepProbabilities, T, H, s.kvHeads(), s.qkDim(),
                s.vDim(), s.scale(), s.window(), new Kernels.Local(4L * Math.max(1, s.qkDim())),
                new Kernels.Local(4L * cl.reductionSize));
        return new AttentionOutput(out, probs);
    }

    AttentionGradients backward(Tensor dContext, Tensor q, Tensor k, Tensor v, Tensor probabilities, AttentionSpec s) {
        int T = s.tokens(), H = s.heads(), Hkv = s.kvHeads(), dqk = s.qkDim(), dv = s.vDim();
        OpenClTensor recomputed = null;
        if (probabilities == null) {
            AttentionOutput a = forward(q, k, v, s, true);
            a.context().close();
            recomputed = OpenClBackend.cl(a.probabilities());
            probabilities = recomputed;
        }
        try (OpenClTensor ds = cl.floats(H, T, T)) {
            cl.perGroup("attention_backward_scores", (long) H * T, dContext, v, probabilities, ds, T, H, Hkv, dv, s.window(),
                    new Kernels.Local(4L * Math.max(1, dv)));
            OpenClTensor dq = cl.floats(T, H, dqk), dk = cl.floats(T, Hkv, dqk), dvOut = cl.floats(T, Hkv, dv);
            cl.perItem("attention_backward_dq", (long) T * H * dqk, ds, k, dq, T, H, Hkv, dqk, s.scale(), s.window());
            cl.perItem("attention_backward_dk", (long) T * Hkv * dqk, ds, q, dk, T, H, Hkv, dqk, s.scale(), s.window());
            cl.perItem("attention_backward_dv", (long) T * Hkv * dv, probabilities, dContext, dvOut, T, H, Hkv, dv, s.window());
            return new AttentionGradients(dq, dk, dvOut);
        } finally {
            if (recomputed != null) recomputed.close();
        }
    }

    private static void checkSize(String what, Tensor t, long want) {
        if (t.size() != want) {
            throw new IllegalArgumentException("attention: " + what + " has " + t.size() + " values, the spec needs " + want);
        }
    }
}
