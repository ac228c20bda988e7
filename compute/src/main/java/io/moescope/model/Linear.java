package io.moescope.model;

import io.moescope.backend.Backend;
import io.moescope.backend.Tensor;

/** A PyTorch-style linear layer: weight [out, in], optional bias [out], resident on the backend. */
public record Linear(Tensor weight, Tensor bias) {

    public Tensor apply(Backend b, Tensor x) {
        return b.linear(x, weight, bias);
    }

    public int inFeatures() {
        return weight.dim(1);
    }

    public int outFeatures() {
        return weight.dim(0);
    }
}
