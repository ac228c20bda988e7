package io.moescope.model;

import io.moescope.tensor.CpuOps;
import io.moescope.tensor.FloatTensor;

/** A PyTorch-style linear layer: weight [out, in], optional bias [out]. */
public record Linear(FloatTensor weight, float[] bias) {

    public float[] apply(float[] x, int rows) {
        return CpuOps.linear(x, rows, weight, bias);
    }

    public int inFeatures() {
        return weight.dim(1);
    }

    public int outFeatures() {
        return weight.dim(0);
    }
}
