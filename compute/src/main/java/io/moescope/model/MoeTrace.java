package io.moescope.model;

/**
 * What one MoE layer did in a forward pass: the router's input (the post-attention-norm hidden
 * state), its decision, and the block's output (routed plus shared experts), all [T, D] or [T, E].
 */
public record MoeTrace(int layer, float[] routerInput, RouterDecision decision, float[] output) {}
