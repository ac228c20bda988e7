package io.moescope.grad;

import io.moescope.backend.Backend;
import io.moescope.backend.Tensor;
import io.moescope.model.Linear;
import io.moescope.model.RmsNorm;

/** The backward steps of the model's two building blocks, and the one helper the forward tapes need. */
final class GradOps {
    private GradOps() {}

    /** dx of a linear layer, adding into its weight (and bias) gradients. */
    static Tensor linear(Backend b, Linear layer, Tensor dy, Tensor x, Gradients g) {
        return b.linearBackward(dy, x, layer.weight(), g.of(layer.weight()), g.of(layer.bias()));
    }

    /** dx of an RMSNorm given its input x, adding into its weight gradient. */
    static Tensor norm(Backend b, RmsNorm norm, Tensor dy, Tensor x, Gradients g) {
        return b.rmsNormBackward(dy, x, norm.weight(), norm.eps(), g.of(norm.weight()));
    }

    /**
     * into += x, then closes x: the backward steps make many short-lived gradients, and a GPU backend
     * should get their memory back at once rather than when the garbage collector finds them.
     */
    static void addAndClose(Backend b, Tensor into, Tensor x) {
        try (x) {
            b.addInPlace(into, x);
        }
    }

    /**
     * A copy of a 2-D view of x. Forward operations that work in place (clamp, rope,
     * scaleRowsBySigmoid) would otherwise overwrite values the backward pass still needs.
     */
    static Tensor copy(Backend b, Tensor x) {
        Tensor out = b.zeros(x.shape());
        b.copyColumns(x, 0, 1, out, 0, x.rows(), x.cols());
        return out;
    }
}
