package io.moescope.model;

import io.moescope.backend.Backend;
import io.moescope.backend.Tensor;

/** The SwiGLU MLP every architecture here uses for dense layers and shared experts: down(silu(gate x) * up x). */
public record FeedForward(Linear gate, Linear up, Linear down) {

    public Tensor apply(Backend b, Tensor x) {
        try (Tensor g = gate.apply(b, x); Tensor u = up.apply(b, x); Tensor h = b.swiglu(g, u)) {
            return down.apply(b, h);
        }
    }
}
