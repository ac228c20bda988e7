package io.moescope.model;

import io.moescope.backend.Backend;
import io.moescope.backend.Tensor;
import java.util.List;

/** The SwiGLU MLP every architecture here uses for dense layers and shared experts: down(silu(gate x) * up x). */
public record FeedForward(Linear gate, Linear up, Linear down) {

    /** What backward needs: the input, both projections and the activation fed to down. */
    private record Saved(Tensor x, Tensor gate, Tensor up, Tensor act) {}

    /** Its three weight matrices. */
    public List<Tensor> tensors() {
        return List.of(gate.weight(), up.weight(), down.weight());
    }

    /** @param tape null for inference, else where to save what {@link #backward} needs */
    public Tensor forward(Backend b, Tensor x, Tape tape) {
        Tensor g = gate.apply(b, x), u = up.apply(b, x), act = b.swiglu(g, u);
        Tensor out = down.apply(b, act);
        Tape.record(tape, this, new Saved(x, g, u, act));
        Tape.release(tape, g, u, act);
        return out;
    }

    /** dL/dx from dL/d(output). */
    public Tensor backward(Backend b, Tape tape, Tensor dOut, WeightGradients g) {
        Saved s = tape.saved(this, Saved.class);
        Tensor[] d;
        try (Tensor dAct = down.backward(b, dOut, s.act(), g)) {
            d = b.swigluBackward(dAct, s.gate(), s.up());
        }
        try (Tensor dGate = d[0]; Tensor dUp = d[1]) {
            Tensor dx = gate.backward(b, dGate, s.x(), g);
            Tape.addAndClose(b, dx, up.backward(b, dUp, s.x(), g));
            return dx;
        }
    }
}
