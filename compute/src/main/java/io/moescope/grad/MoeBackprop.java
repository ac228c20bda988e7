package io.moescope.grad;

import io.moescope.backend.Backend;
import io.moescope.backend.Routing;
import io.moescope.backend.Tensor;
import io.moescope.model.MoeBlock;
import io.moescope.model.Router;

/**
 * A sparse MoE block: the same steps as {@link MoeBlock#forward}, keeping what the backward pass
 * needs. The routed experts' activations are not kept: expertsBackward recomputes them from x.
 * Gradient reaches the router only through the weights of the chosen experts (the choice itself
 * is piecewise constant), plus the load-balancing term when one is asked for.
 */
final class MoeBackprop {
    private MoeBackprop() {}

    /**
     * @param logits      router logits [T, E]
     * @param shared      the shared expert's tape (its {@code out} unscaled), or null
     * @param sharedGate  Qwen2-MoE's shared-expert gate logits [T, 1], or null
     */
    record Tape(Tensor x, Tensor logits, Routing routing, FeedForwardBackprop.Tape shared, Tensor sharedGate, Tensor out) {}

    static Tape forward(Backend b, MoeBlock m, Tensor x) {
        Router.Decision d = m.router().route(b, x);
        Tensor out = b.experts(x, d.routing(), m.experts());
        FeedForwardBackprop.Tape shared = null;
        Tensor gate = null;
        if (m.shared() != null) {
            shared = FeedForwardBackprop.forward(b, m.shared(), x);
            Tensor s = shared.out();
            if (m.sharedGate() != null) {
                gate = m.sharedGate().apply(b, x);
                s = GradOps.copy(b, s);   // scaled in place below; backward needs the unscaled rows
                b.scaleRowsBySigmoid(s, gate);
            }
            b.addInPlace(out, s);
        }
        return new Tape(x, d.logits(), d.routing(), shared, gate, out);
    }

    /**
     * Returns dL/dx.
     *
     * @param aux the load-balancing loss's share of this layer's logit gradient, or null
     */
    static Tensor backward(Backend b, MoeBlock m, Tape t, Tensor dOut, Gradients g, LoadBalancing.Term aux) {
        // Every intermediate gradient is closed once used (a GPU backend gets its memory back at once).
        Tensor[] routed = b.expertsBackward(dOut, t.x(), t.routing(), m.experts(), g.of(m.experts()));
        Tensor dx = routed[0];
        Router router = m.router();
        try (Tensor dWeight = routed[1];
             Tensor dLogits = b.routeBackward(dWeight, t.logits(), t.routing(), router.correctionBias())) {
            if (aux != null) GradOps.addAndClose(b, dLogits, b.softmaxWeightedSumBackward(t.logits(), aux.loadFractions(), aux.scale()));
            GradOps.addAndClose(b, dx, b.linearBackward(dLogits, t.x(), router.weight(), g.of(router.weight()), null));
        }
        if (m.shared() != null) {
            if (m.sharedGate() != null) {
                Tensor[] d = b.scaleRowsBySigmoidBackward(dOut, t.shared().out(), t.sharedGate());
                try (Tensor dShared = d[0]; Tensor dGate = d[1]) {
                    GradOps.addAndClose(b, dx, GradOps.linear(b, m.sharedGate(), dGate, t.x(), g));
                    GradOps.addAndClose(b, dx, FeedForwardBackprop.backward(b, m.shared(), t.shared(), dShared, g));
                }
            } else {
                GradOps.addAndClose(b, dx, FeedForwardBackprop.backward(b, m.shared(), t.shared(), dOut, g));
            }
        }
        return dx;
    }
}
