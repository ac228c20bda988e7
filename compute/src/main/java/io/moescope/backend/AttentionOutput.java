package io.moescope.backend;

/** Attention's context [T, H * vDim] and, when asked for, its probabilities [H, T, T] (else null). */
public record AttentionOutput(Tensor context, Tensor probabilities) {}
