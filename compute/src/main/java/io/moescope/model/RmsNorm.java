package io.moescope.model;

import io.moescope.tensor.CpuOps;

/** RMSNorm with a learned scale, applied to every consecutive group of weight.length values. */
public record RmsNorm(float[] weight, double eps) {
    public float[] apply(float[] x) {
        return CpuOps.rmsNorm(x, weight, eps);
    }
}
