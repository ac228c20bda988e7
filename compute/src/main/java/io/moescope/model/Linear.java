package io.moescope.model;

import io.moescope.backend.Backend;
import io.moescope.backend.Tensor;
import java.util.List;

/** A PyTorch-style linear layer: weight [out, in], optional bias [out], resident on the backend. */
public record Linear(Tensor weight, Tensor bias) {

    public Tensor apply(Backend b, Tensor x) {
        return b.linear(x, weight, bias);
    }

    /** dL/dx from dL/dy and the input x, adding into the weight's (and bias's) gradient. */
    public Tensor backward(Backend b, Tensor dy, Tensor x, WeightGradients g) {
        return b.linearBackward(dy, x, weight, g.of(weight), g.of(bias));
    }

    /** Its weight, and its bias if it has one. */
    public List<Tensor> tensors() {
        return bias == null ? List.of(weight) : List.of(weight, bias);
    }

    public int inFeatures() {
        return weight.dim(1);
    }

    public int outFeatures() {
        return weight.dim(0);
    }
}
