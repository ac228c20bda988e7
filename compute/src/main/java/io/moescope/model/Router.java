package io.moescope.model;

import io.moescope.backend.Backend;
import io.moescope.backend.RouterSpec;
import io.moescope.backend.Routing;
import io.moescope.backend.Tensor;

/** A layer's router: a linear map to one logit per expert, then the architecture's selection rule. */
public record Router(Tensor weight, Tensor correctionBias, RouterSpec spec) {

    /** The router's logits [T, E] and the routing decided from them. */
    public record Decision(Tensor logits, Routing routing) {}

    public Decision route(Backend b, Tensor x) {
        return route(b, x, -1, ForwardOptions.NONE);
    }

    /** As above, with the routing the options give for decoder layer {@code layer}, if any. */
    public Decision route(Backend b, Tensor x, int layer, ForwardOptions options) {
        Tensor logits = b.linear(x, weight, null);
        Routing r = options.route(b, layer, this, logits);
        return new Decision(logits, r != null ? r : b.route(logits, spec, correctionBias));
    }

    static RouterSpec spec(ModelConfig c) {
        RouterSpec.Rule rule = switch (c.routerKind()) {
            case SOFTMAX_TOPK -> RouterSpec.Rule.SOFTMAX;
            case SOFTMAX_GROUP_LIMITED -> RouterSpec.Rule.SOFTMAX_GROUP_MAX;
            case SIGMOID_GROUP_LIMITED -> RouterSpec.Rule.SIGMOID_GROUP_TOP2;
        };
        return new RouterSpec(rule, c.numExperts(), c.topK(), c.nGroup(), c.topkGroup(), c.normTopkProb(),
                (float) c.routedScalingFactor());
    }
}
