package io.moescope.backend;

import java.util.List;

/** The SwiGLU experts of one MoE layer: per expert gate [I, D], up [I, D] and down [D, I]. */
public record ExpertWeights(List<Tensor> gate, List<Tensor> up, List<Tensor> down) {
    public int count() {
        return gate.size();
    }
}
