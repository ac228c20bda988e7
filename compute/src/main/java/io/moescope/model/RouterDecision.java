package io.moescope.model;

/**
 * What a router decided for T tokens over E experts: its logits [T, E], and for each token the k
 * chosen experts [T, k] with the weights [T, k] their outputs are mixed with (after any
 * renormalisation and scaling). Choices are listed best first.
 */
public record RouterDecision(int tokens, int experts, int k, float[] logits, int[] topkIndex, float[] topkWeight) {}
