package io.moescope.grad;

import io.moescope.backend.Backend;
import io.moescope.backend.Tensor;
import io.moescope.model.Attention;
import io.moescope.model.GroupedQueryAttention;
import io.moescope.model.LatentAttention;

/** Picks the forward/backward pair for a layer's kind of attention. */
final class AttentionBackprop {
    private AttentionBackprop() {}

    /** What an attention block's forward kept; {@code out} is the block's output [T, D]. */
    sealed interface Tape permits GqaBackprop.Tape, MlaBackprop.Tape {
        Tensor out();

        Tensor probs();
    }

    static Tape forward(Backend b, Attention a, Tensor x, int T) {
        return switch (a) {
            case GroupedQueryAttention gqa -> GqaBackprop.forward(b, gqa, x, T);
            case LatentAttention mla -> MlaBackprop.forward(b, mla, x, T);
            default -> throw new UnsupportedOperationException("no backward pass for " + a.getClass().getSimpleName());
        };
    }

    static Tensor backward(Backend b, Attention a, Tape t, Tensor dOut, Gradients g, int T) {
        return switch (t) {
            case GqaBackprop.Tape gt -> GqaBackprop.backward(b, (GroupedQueryAttention) a, gt, dOut, g, T);
            case MlaBackprop.Tape mt -> MlaBackprop.backward(b, (LatentAttention) a, mt, dOut, g, T);
        };
    }
}
