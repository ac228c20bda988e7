package io.moescope.backend.ptx;

import io.moescope.backend.RouterSpec;
import io.moescope.backend.Routing;
import io.moescope.backend.Tensor;

/** The router's selection rule (RoutingRule's steps, one warp per token) and its gradient. */
final class RoutingOps {
    private static final int WARPS = 4;

    private final Gpu gpu;

    RoutingOps(Gpu gpu) {
        this.gpu = gpu;
    }

    /** The RULE_ constants of moe.cu. */
    private static int rule(RouterSpec spec) {
        return switch (spec.rule()) {
            case SOFTMAX -> 0;
            case SOFTMAX_GROUP_MAX -> 1;
            case SIGMOID_GROUP_TOP2 -> 2;
        };
    }

    Routing route(Tensor logitsT, RouterSpec spec, Tensor biasT) {
        PtxTensor logits = Gpu.t(logitsT), bias = Gpu.orNull(biasT);
        int E = spec.experts(), k = spec.k(), G = Math.max(1, spec.groups());
        if (logits.cols() != E) throw new IllegalArgumentException("route: logits " + logits.cols() + " wide for " + E + " experts");
        if (k < 1 || k > E || E % G != 0 || spec.keptGroups() > G) throw new IllegalArgumentException("route: unsupported " + spec);
        int T = logits.rows();
        PtxTensor index = gpu.ints(T, k), weight = gpu.floats(T, k);
        int shared = WARPS * (3 * E + 2 * G + k) * 4;
        gpu.launch("route", Gpu.ceil(T, WARPS), 1, 1, 32 * WARPS, shared, logits, bias, T, E, k, rule(spec), G,
                spec.keptGroups(), spec.renormalize() ? 1 : 0, spec.scaling(), index, weight);
        return new Routing(spec, index, weight);
    }

    Tensor routeBackward(Tensor dWeightT, Tensor logitsT, Routing routing) {
        PtxTensor dW = Gpu.t(dWeightT), logits = Gpu.t(logitsT), index = Gpu.t(routing.index());
        RouterSpec spec = routing.spec();
        int E = spec.experts(), k = spec.k(), T = logits.rows();
        PtxTensor out = gpu.floats(T, E);
        gpu.launch("route_backward", Gpu.ceil(T, WARPS), 1, 1, 32 * WARPS, 0, dW, logits, index, T, E, k,
                rule(spec), spec.renormalize() ? 1 : 0, spec.scaling(), out);
        return out;
    }
}
