package io.moescope.grad;

import io.moescope.backend.AttentionGradients;
import io.moescope.backend.AttentionOutput;
import io.moescope.backend.Backend;
import io.moescope.backend.Tensor;
import io.moescope.model.GroupedQueryAttention;

/**
 * Grouped-query attention (Mixtral, Qwen2/3-MoE, OLMoE): the same steps as
 * {@link GroupedQueryAttention#forward}, keeping what the backward pass needs.
 */
final class GqaBackprop {
    private GqaBackprop() {}

    /**
     * @param qProj      q projection before its norm (null when the model has no q/k norm)
     * @param kProj      k projection before its norm (null likewise)
     * @param qClamped   q after norm and clamp, before rope (null unless clip_qkv is set)
     * @param kClamped   k likewise
     * @param q          queries as attended: after norm, clamp and rope
     * @param k          keys likewise
     * @param v          values as attended (after clamp)
     * @param probs      attention probabilities [H, T, T]
     * @param context    attention output before o_proj
     */
    record Tape(Tensor x, Tensor qProj, Tensor kProj, Tensor qClamped, Tensor kClamped, Tensor q, Tensor k, Tensor v,
                Tensor probs, Tensor context, Tensor out) implements AttentionBackprop.Tape {}

    static Tape forward(Backend b, GroupedQueryAttention a, Tensor x, int T) {
        var cfg = a.cfg();
        int H = cfg.numHeads(), Hkv = cfg.numKvHeads(), d = cfg.headDim();
        Tensor q = a.q().apply(b, x), k = a.k().apply(b, x), v = a.v().apply(b, x);
        Tensor qProj = null, kProj = null;
        if (a.qNorm() != null) {
            qProj = q;
            kProj = k;
            q = a.qNorm().apply(b, qProj);
            k = a.kNorm().apply(b, kProj);
        }
        Tensor qClamped = null, kClamped = null;
        if (!Double.isNaN(cfg.clipQkv())) {
            float c = (float) cfg.clipQkv();
            b.clamp(q, c);
            b.clamp(k, c);
            b.clamp(v, c);
            qClamped = GradOps.copy(b, q);   // rope below rotates q and k in place
            kClamped = GradOps.copy(b, k);
        }
        b.rope(q, H, d, 0, a.rotary());
        b.rope(k, Hkv, d, 0, a.rotary());
        AttentionOutput att = b.attention(q, k, v, a.spec(T), true);
        Tensor out = a.o().apply(b, att.context());
        return new Tape(x, qProj, kProj, qClamped, kClamped, q, k, v, att.probabilities(), att.context(), out);
    }

    /** Returns dL/dx, the gradient with respect to the normalised hidden state. */
    static Tensor backward(Backend b, GroupedQueryAttention a, Tape t, Tensor dOut, Gradients g, int T) {
        var cfg = a.cfg();
        int H = cfg.numHeads(), Hkv = cfg.numKvHeads(), d = cfg.headDim();
        AttentionGradients ag;
        try (Tensor dContext = GradOps.linear(b, a.o(), dOut, t.context(), g)) {
            ag = b.attentionBackward(dContext, t.q(), t.k(), t.v(), t.probs(), a.spec(T));
        }
        Tensor dq = ag.dq(), dk = ag.dk(), dv = ag.dv();
        b.ropeBackward(dq, H, d, 0, a.rotary());
        b.ropeBackward(dk, Hkv, d, 0, a.rotary());
        if (!Double.isNaN(cfg.clipQkv())) {
            float c = (float) cfg.clipQkv();
            b.clampBackward(dq, t.qClamped(), c);
            b.clampBackward(dk, t.kClamped(), c);
            b.clampBackward(dv, t.v(), c);
        }
        if (a.qNorm() != null) {
            try (Tensor dqRoped = dq; Tensor dkRoped = dk) {
                dq = GradOps.norm(b, a.qNorm(), dqRoped, t.qProj(), g);
                dk = GradOps.norm(b, a.kNorm(), dkRoped, t.kProj(), g);
            }
        }
        Tensor dx = GradOps.linear(b, a.q(), dq, t.x(), g);
        GradOps.addAndClose(b, dx, GradOps.linear(b, a.k(), dk, t.x(), g));
        GradOps.addAndClose(b, dx, GradOps.linear(b, a.v(), dv, t.x(), g));
        dq.close();
        dk.close();
        dv.close();
        return dx;
    }
}
