package io.moescope.grad;

import java.util.List;

/**
 * Gradient figures of one component (a projection, a norm, the router, one expert...).
 *
 * @param tensors     the checkpoint names of its parameters
 * @param gradNorm    L2 norm of its gradient, over all its tensors
 * @param weightNorm  L2 norm of its weights
 * @param updateRatio lr * gradNorm / weightNorm: the relative size of a plain SGD step at that
 *                    learning rate (about 1e-3 is the usual healthy range for Adam-trained models)
 */
public record ComponentFlow(String name, List<String> tensors, double gradNorm, double weightNorm, double updateRatio) {}
