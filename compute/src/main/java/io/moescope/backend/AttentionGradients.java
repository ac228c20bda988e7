package io.moescope.backend;

/** Gradients of attention's inputs: dq [T, H, qkDim], dk [T, Hkv, qkDim], dv [T, Hkv, vDim]. */
public record AttentionGradients(Tensor dq, Tensor dk, Tensor dv) {}
