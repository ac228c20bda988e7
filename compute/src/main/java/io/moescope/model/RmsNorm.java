package io.moescope.model;

import io.moescope.backend.Backend;
import io.moescope.backend.Tensor;

/** RMSNorm with a learned scale, applied to every consecutive group of weight.size() values. */
public record RmsNorm(Tensor weight, float eps) {
    public Tensor apply(Backend b, Tensor x) {
        return b.rmsNorm(x, weight, eps);
    }
}
