package io.moescope.model;

import io.moescope.backend.Backend;
import io.moescope.backend.Tensor;

/** RMSNorm with a learned scale, applied to every consecutive group of weight.size() values. */
public record RmsNorm(Tensor weight, float eps) {
    public Tensor apply(Backend b, Tensor x) {
        return b.rmsNorm(x, weight, eps);
    }

    /** dL/dx from dL/dy and the input x (all the backward needs), adding into the weight's gradient. */
    public Tensor backward(Backend b, Tensor dy, Tensor x, WeightGradients g) {
        return b.rmsNormBackward(dy, x, weight, eps, g.of(weight));
    }
}
