package io.moescope.backend.opencl;

import io.moescope.backend.RouterSpec;
import io.moescope.backend.Routing;
import io.moescope.backend.Tensor;

/** Router selection and its gradient, one work-item per token (routing.cl). */
final class RoutingOps {
    private final ClContext cl;

    RoutingOps(ClContext cl) {
        this.cl = cl;
    }

    Routing route(Tensor logits, RouterSpec spec, Tensor correctionBias) {
        int E = spec.experts(), k = spec.k(), G = spec.groups(), T = Math.toIntExact(logits.size() / E);
        if (G < 1 || E % G != 0 || k < 1 || k > E || spec.keptGroups() < 1 || spec.keptGroups() > G) {
            throw new IllegalArgumentException("route: inconsistent " + spec);
        }
        OpenClTensor index = cl.ints(T, k), weight = cl.floats(T, k);
        // Per-token scratch: the kernel works on rows of E scores, too many for private memory.
        try (OpenClTensor scores = cl.floats(T, E); OpenClTensor choice = cl.floats(T, E);
             OpenClTensor groupScores = cl.floats(T, G); OpenClTensor kept = cl.ints(T, G)) {
            cl.perItem("route", T, OpenClTensor.of(logits), correctionBias == null ? null : OpenClTensor.of(correctionBias),
                    correctionBias != null, scores, choice, groupScores, kept, index, weight, T, E, k, G, spec.keptGroups(),
                    spec.rule().ordinal(), spec.renormalize(), spec.scaling());
        }
        return new Routing(spec, index, weight);
    }

    /** The correction bias only steers the choice, which passes no gradient: it is not needed. */
    Tensor routeBackward(Tensor dWeight, Tensor logits, Routing routing) {
        RouterSpec spec = routing.spec();
        int E = spec.experts(), T = Math.toIntExact(logits.size() / E);
        OpenClTensor dLogits = cl.floats(logits.shape());
        cl.perItem("route_backward", T, OpenClTensor.of(dWeight), OpenClTensor.of(logits), OpenClTensor.of(routing.index()),
                dLogits, T, E, spec.k(), spec.rule().ordinal(), spec.renormalize(), spec.scaling());
        return dLogits;
    }
}
