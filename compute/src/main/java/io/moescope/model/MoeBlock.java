package io.moescope.model;

import io.moescope.backend.Backend;
import io.moescope.backend.ExpertWeights;
import io.moescope.backend.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A sparse mixture-of-experts feed-forward block: the router picks k experts per token, each
 * expert runs over the tokens gathered for it, and the weighted outputs are summed, plus an
 * always-on (DeepSeek) or sigmoid-gated (Qwen2-MoE) shared expert when the model has one.
 * The routed experts' activations are not kept for backward: expertsBackward recomputes them from x.
 */
public record MoeBlock(Router router, ExpertWeights experts, FeedForward shared, Linear sharedGate) {

    public record Output(Tensor hidden, Router.Decision decision) {}

    /**
     * What backward needs.
     *
     * @param sharedOut  the shared expert's output before its gate (null without a shared expert)
     * @param sharedGate Qwen2-MoE's shared-expert gate logits [T, 1], or null
     */
    private record Saved(Tensor x, Router.Decision decision, Tensor sharedOut, Tensor sharedGate) {}

    /**
     * @param layer   the decoder layer, for the options' routing
     * @param options may route instead of the router's own rule
     * @param tape    null for inference, else where to save what {@link #backward} needs
     * @return the block's output [T, D] and the routing decision, which the caller closes (a
     *         recording tape holds it too)
     */
    public Output forward(Backend b, Tensor x, int layer, ForwardOptions options, Tape tape) {
        // route, then run the chosen experts
        Router.Decision d = router.route(b, x, layer, options);
        Tensor out = b.experts(x, d.routing(), experts);
        // add the shared expert, gated or not
        Tensor s = null, gate = null;
        if (shared != null) {
            s = shared.forward(b, x, tape);
            Tensor gated = s;
            if (sharedGate != null) {
                gate = sharedGate.apply(b, x);
                if (tape != null) gated = Tape.snapshot(b, s);   // gated in place below; backward needs the ungated rows
                b.scaleRowsBySigmoid(gated, gate);
            }
            b.addInPlace(out, gated);
            if (gated != s) gated.close();
        }
        Tape.record(tape, this, new Saved(x, d, s, gate));
        Tape.release(tape, s, gate);
        return new Output(out, d);
    }

    /**
     * dL/dx from dL/d(output).
     *
     * @param aux the load-balancing loss's share of this layer's logit gradient, or null
     */
    public Tensor backward(Backend b, Tape tape, Tensor dOut, WeightGradients g, LoadBalancing.Term aux) {
        Saved s = tape.saved(this, Saved.class);
        // Every intermediate gradient is closed once used (a GPU backend gets its memory back at once).
        Tensor[] routed = b.expertsBackward(dOut, s.x(), s.decision().routing(), experts, g.of(experts));
        Tensor dx = routed[0];
        try (Tensor dWeight = routed[1]) {
            Tape.addAndClose(b, dx, router.backward(b, dWeight, s.x(), s.decision(), aux, g));
        }
        if (shared != null) {
            if (sharedGate != null) {
                Tensor[] d = b.scaleRowsBySigmoidBackward(dOut, s.sharedOut(), s.sharedGate());
                try (Tensor dShared = d[0]; Tensor dGate = d[1]) {
                    Tape.addAndClose(b, dx, sharedGate.backward(b, dGate, s.x(), g));
                    Tape.addAndClose(b, dx, shared.backward(b, tape, dShared, g));
                }
            } else {
                Tape.addAndClose(b, dx, shared.backward(b, tape, dOut, g));
            }
        }
        return dx;
    }

    /** Its weights by part (router, expert.0..., shared_experts, shared_expert_gate), in a fixed order. */
    public Map<String, List<Tensor>> parts() {
        Map<String, List<Tensor>> p = new LinkedHashMap<>();
        p.put("router", List.of(router.weight()));
        for (int i = 0; i < experts.count(); i++) {
            p.put("expert." + i, List.of(experts.gate().get(i), experts.up().get(i), experts.down().get(i)));
        }
        if (shared != null) p.put("shared_experts", shared.tensors());
        if (sharedGate != null) p.put("shared_expert_gate", sharedGate.tensors());
        return p;
    }

    /** The routing decision a recorded forward pass made (for the load-balancing loss and expert counts). */
    public Router.Decision decision(Tape tape) {
        return tape.saved(this, Saved.class).decision();
    }
}
