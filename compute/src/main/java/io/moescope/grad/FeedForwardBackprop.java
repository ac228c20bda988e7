package io.moescope.grad;

import io.moescope.backend.Backend;
import io.moescope.backend.Tensor;
import io.moescope.model.FeedForward;

/** The SwiGLU MLP (dense layers, shared experts): y = down(silu(gate x) * up x). */
final class FeedForwardBackprop {
    private FeedForwardBackprop() {}

    /** What backward needs: the input, both projections, the activation fed to down, and the output. */
    record Tape(Tensor x, Tensor gate, Tensor up, Tensor act, Tensor out) {}

    static Tape forward(Backend b, FeedForward ff, Tensor x) {
        Tensor gate = ff.gate().apply(b, x), up = ff.up().apply(b, x);
        Tensor act = b.swiglu(gate, up);
        return new Tape(x, gate, up, act, ff.down().apply(b, act));
    }

    /** Returns dL/dx. */
    static Tensor backward(Backend b, FeedForward ff, Tape t, Tensor dOut, Gradients g) {
        Tensor[] d;
        try (Tensor dAct = GradOps.linear(b, ff.down(), dOut, t.act(), g)) {
            d = b.swigluBackward(dAct, t.gate(), t.up());
        }
        try (Tensor dGate = d[0]; Tensor dUp = d[1]) {
            Tensor dx = GradOps.linear(b, ff.gate(), dGate, t.x(), g);
            GradOps.addAndClose(b, dx, GradOps.linear(b, ff.up(), dUp, t.x(), g));
            return dx;
        }
    }
}
