package io.moescope.lab;

import io.moescope.backend.Backend;
import io.moescope.backend.ExpertWeights;
import io.moescope.backend.ForwardingBackend;
import io.moescope.backend.Routing;
import io.moescope.backend.Tensor;

/**
 * Rounds the input of every matrix product (linear layers and experts) to a format, per token
 * row for the scaled formats, as activation quantisation does. Values go to the host and back,
 * so it works over any backend; it is for measuring, not for speed.
 */
final class RoundingBackend extends ForwardingBackend {
    private final NumberFormat format;

    RoundingBackend(Backend inner, NumberFormat format) {
        super(inner);
        this.format = format;
    }

    private Tensor rounded(Tensor x) {
        float[] v = inner.download(x);
        return inner.upload(Rounding.round(v, x.cols(), format), x.shape());
    }

    @Override
    public Tensor linear(Tensor x, Tensor w, Tensor bias) {
        try (Tensor r = rounded(x)) {
            return inner.linear(r, w, bias);
        }
    }

    @Override
    public Tensor experts(Tensor x, Routing routing, ExpertWeights weights) {
        try (Tensor r = rounded(x)) {
            return inner.experts(r, routing, weights);
        }
    }
}
