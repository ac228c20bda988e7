package io.moescope.model;

import io.moescope.backend.Backend;
import io.moescope.backend.ExpertWeights;
import io.moescope.backend.Tensor;

/**
 * A sparse mixture-of-experts feed-forward block: the router picks k experts per token, each
 * expert runs over the tokens gathered for it, and the weighted outputs are summed, plus an
 * always-on (DeepSeek) or sigmoid-gated (Qwen2-MoE) shared expert when the model has one.
 */
public record MoeBlock(Router router, ExpertWeights experts, FeedForward shared, Linear sharedGate) {

    public record Output(Tensor hidden, Router.Decision decision) {}

    public Output forward(Backend b, Tensor x) {
        return forward(b, x, -1, ForwardOptions.NONE);
    }

    /** As above, with the routing the options give for decoder layer {@code layer}, if any. */
    public Output forward(Backend b, Tensor x, int layer, ForwardOptions options) {
        Router.Decision d = router.route(b, x, layer, options);
        Tensor out = b.experts(x, d.routing(), experts);
        if (shared != null) {
            try (Tensor s = shared.apply(b, x)) {
                if (sharedGate != null) {
                    try (Tensor g = sharedGate.apply(b, x)) {
                        b.scaleRowsBySigmoid(s, g);
                    }
                }
                b.addInPlace(out, s);
            }
        }
        return new Output(out, d);
    }
}
