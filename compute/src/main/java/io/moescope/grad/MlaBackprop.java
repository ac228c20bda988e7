package io.moescope.grad;

import io.moescope.backend.AttentionGradients;
import io.moescope.backend.AttentionOutput;
import io.moescope.backend.Backend;
import io.moescope.backend.Tensor;
import io.moescope.model.LatentAttention;

/**
 * DeepSeek's multi-head latent attention: the same steps as {@link LatentAttention#forward},
 * keeping what the backward pass needs. Its column copies (latent | rotary key split, per-head
 * keys and values) run backward as {@code copyColumnsBackward}, which sums the rotary key's
 * gradient over the heads that share it.
 */
final class MlaBackprop {
    private MlaBackprop() {}

    /**
     * @param qA       q_a_proj output before its norm (null without q_lora_rank)
     * @param qANormed q_a after its norm (null likewise)
     * @param latent   the kv latent [T, kv_lora_rank] before its norm
     * @param latentNormed the latent after kv_a_layernorm
     * @param q        queries as attended (rope applied to their rotary part)
     * @param keys     per-head keys [T*H, nope+rope] as attended
     * @param values   per-head values [T*H, v_head_dim]
     */
    record Tape(Tensor x, Tensor qA, Tensor qANormed, Tensor latent, Tensor latentNormed, Tensor q, Tensor keys,
                Tensor values, Tensor probs, Tensor context, Tensor out) implements AttentionBackprop.Tape {}

    static Tape forward(Backend b, LatentAttention a, Tensor x, int T) {
        var cfg = a.cfg();
        int H = cfg.numHeads(), nope = cfg.qkNopeHeadDim(), rd = cfg.qkRopeHeadDim(), dv = cfg.vHeadDim();
        int dqk = nope + rd, lora = cfg.kvLoraRank();
        Tensor qA = null, qANormed = null, q;
        if (a.qProj() != null) {
            q = a.qProj().apply(b, x);
        } else {
            qA = a.qA().apply(b, x);
            qANormed = a.qANorm().apply(b, qA);
            q = a.qB().apply(b, qANormed);
        }
        Tensor ckv = a.kvA().apply(b, x);
        Tensor latent = b.zeros(T, lora);
        Tensor kRot = b.zeros(T, rd);
        b.copyColumns(ckv, 0, 1, latent, 0, T, lora);
        b.copyColumns(ckv, lora, 1, kRot, 0, T, rd);
        Tensor latentNormed = a.kvANorm().apply(b, latent);
        Tensor kv = a.kvB().apply(b, latentNormed);
        b.rope(q, H, dqk, nope, a.rotary());
        b.rope(kRot, 1, rd, 0, a.rotary());

        Tensor kvRows = b.reshape(kv, T * H, nope + dv);
        Tensor keys = b.zeros(T * H, dqk);
        Tensor values = b.zeros(T * H, dv);
        b.copyColumns(kvRows, 0, 1, keys, 0, T * H, nope);
        b.copyColumns(kRot, 0, H, keys, nope, T * H, rd);
        b.copyColumns(kvRows, nope, 1, values, 0, T * H, dv);
        AttentionOutput att = b.attention(q, keys, values, a.spec(T), true);
        Tensor out = a.o().apply(b, att.context());
        return new Tape(x, qA, qANormed, latent, latentNormed, q, keys, values, att.probabilities(), att.context(), out);
    }

    /** Returns dL/dx, the gradient with respect to the normalised hidden state. */
    static Tensor backward(Backend b, LatentAttention a, Tape t, Tensor dOut, Gradients g, int T) {
        var cfg = a.cfg();
        int H = cfg.numHeads(), nope = cfg.qkNopeHeadDim(), rd = cfg.qkRopeHeadDim(), dv = cfg.vHeadDim();
        int dqk = nope + rd, lora = cfg.kvLoraRank();
        Tensor dContext = GradOps.linear(b, a.o(), dOut, t.context(), g);
        AttentionGradients ag = b.attentionBackward(dContext, t.q(), t.keys(), t.values(), t.probs(), a.spec(T));

        // Keys and values were cut from kv_b's output and the shared rotary key: gather their gradients back.
        Tensor dKvRows = b.zeros(T * H, nope + dv);
        Tensor dKRot = b.zeros(T, rd);
        b.copyColumnsBackward(ag.dk(), 0, dKvRows, 0, 1, T * H, nope);
        b.copyColumnsBackward(ag.dk(), nope, dKRot, 0, H, T * H, rd);
        b.copyColumnsBackward(ag.dv(), 0, dKvRows, nope, 1, T * H, dv);
        b.ropeBackward(dKRot, 1, rd, 0, a.rotary());

        Tensor dKv = b.reshape(dKvRows, T, H * (nope + dv));
        Tensor dLatent = GradOps.norm(b, a.kvANorm(), GradOps.linear(b, a.kvB(), dKv, t.latentNormed(), g), t.latent(), g);
        Tensor dCkv = b.zeros(T, lora + rd);
        b.copyColumnsBackward(dLatent, 0, dCkv, 0, 1, T, lora);
        b.copyColumnsBackward(dKRot, 0, dCkv, lora, 1, T, rd);
        Tensor dx = GradOps.linear(b, a.kvA(), dCkv, t.x(), g);

        Tensor dq = ag.dq();
        b.ropeBackward(dq, H, dqk, nope, a.rotary());
        if (a.qProj() != null) {
            b.addInPlace(dx, GradOps.linear(b, a.qProj(), dq, t.x(), g));
        } else {
            Tensor dQA = GradOps.norm(b, a.qANorm(), GradOps.linear(b, a.qB(), dq, t.qANormed(), g), t.qA(), g);
            b.addInPlace(dx, GradOps.linear(b, a.qA(), dQA, t.x(), g));
        }
        return dx;
    }
}
