package io.moescope.grad;

import io.moescope.backend.Backend;
import io.moescope.backend.Tensor;
import io.moescope.model.DecoderLayer;

/**
 * One pre-norm decoder layer, as in MoeModel.forward:
 * mid = h + attn(norm1(h)); out = mid + ffn(norm2(mid)), the ffn dense or MoE.
 */
final class LayerBackprop {
    private LayerBackprop() {}

    /**
     * @param h    the layer's input (the residual stream)
     * @param mid  the residual stream after attention
     * @param ffn  a {@link FeedForwardBackprop.Tape} or a {@link MoeBackprop.Tape}
     */
    record Tape(Tensor h, AttentionBackprop.Tape attention, Tensor mid, Tensor ffnIn, Record ffn, Tensor out) {
        MoeBackprop.Tape moe() {
            return ffn instanceof MoeBackprop.Tape m ? m : null;
        }
    }

    static Tape forward(Backend b, DecoderLayer layer, Tensor h, int T) {
        AttentionBackprop.Tape attn = AttentionBackprop.forward(b, layer.attention(), layer.inputNorm().apply(b, h), T);
        Tensor mid = b.add(h, attn.out());
        Tensor ffnIn = layer.postAttentionNorm().apply(b, mid);
        Record ffn;
        Tensor ffnOut;
        if (layer.isMoe()) {
            MoeBackprop.Tape m = MoeBackprop.forward(b, layer.moe(), ffnIn);
            ffn = m;
            ffnOut = m.out();
        } else {
            FeedForwardBackprop.Tape f = FeedForwardBackprop.forward(b, layer.dense(), ffnIn);
            ffn = f;
            ffnOut = f.out();
        }
        return new Tape(h, attn, mid, ffnIn, ffn, b.add(mid, ffnOut));
    }

    /** Returns dL/dh from dL/dout; the residual connections pass dOut straight through. */
    static Tensor backward(Backend b, DecoderLayer layer, Tape t, Tensor dOut, Gradients g, LoadBalancing.Term aux, int T) {
        Tensor dFfnIn = switch (t.ffn()) {
            case MoeBackprop.Tape m -> MoeBackprop.backward(b, layer.moe(), m, dOut, g, aux);
            case FeedForwardBackprop.Tape f -> FeedForwardBackprop.backward(b, layer.dense(), f, dOut, g);
            default -> throw new IllegalStateException("unknown feed-forward tape " + t.ffn());
        };
        // Intermediate gradients are closed as soon as they are used (GPU memory back at once).
        Tensor dMid;
        try (dFfnIn; Tensor dNorm = GradOps.norm(b, layer.postAttentionNorm(), dFfnIn, t.mid(), g)) {
            dMid = b.add(dOut, dNorm);
        }
        // RMSNorm's backward needs only its input, so the normalised h itself was not kept.
        try (dMid; Tensor dAttnIn = AttentionBackprop.backward(b, layer.attention(), t.attention(), dMid, g, T);
             Tensor dNorm = GradOps.norm(b, layer.inputNorm(), dAttnIn, t.h(), g)) {
            return b.add(dMid, dNorm);
        }
    }
}
