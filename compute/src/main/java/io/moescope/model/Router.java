package io.moescope.model;

import io.moescope.backend.Backend;
import io.moescope.backend.RouterSpec;
import io.moescope.backend.Routing;
import io.moescope.backend.Tensor;

/**
 * A layer's router: a linear map to one logit per expert, then the architecture's selection rule.
 * Gradient reaches it only through the weights of the chosen experts (the choice itself is piecewise
 * constant), plus the load-balancing term when one is asked for.
 */
public record Router(Tensor weight, Tensor correctionBias, RouterSpec spec) {

    /** The router's logits [T, E] and the routing decided from them. */
    public record Decision(Tensor logits, Routing routing) {}

    /** The routing the options give for decoder layer {@code layer}, if any, else the router's own. */
    public Decision route(Backend b, Tensor x, int layer, ForwardOptions options) {
        Tensor logits = b.linear(x, weight, null);
        Routing r = options.route(b, layer, correctionBias, logits);
        return new Decision(logits, r != null ? r : b.route(logits, spec, correctionBias));
    }

    /**
     * The router's share of dL/dx, adding into its weight's gradient.
     *
     * @param dWeight dL/d(the chosen experts' mixing weights) [T, k]
     * @param x       the router's input
     * @param aux     the load-balancing loss's share of this layer's logit gradient, or null
     */
    public Tensor backward(Backend b, Tensor dWeight, Tensor x, Decision d, LoadBalancing.Term aux, WeightGradients g) {
        try (Tensor dLogits = b.routeBackward(dWeight, d.logits(), d.routing(), correctionBias)) {
            if (aux != null) Tape.addAndClose(b, dLogits, b.softmaxWeightedSumBackward(d.logits(), aux.loadFractions(), aux.scale()));
            return b.linearBackward(dLogits, x, weight, g.of(weight), null);
        }
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
