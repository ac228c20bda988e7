package io.moescope.grad;

import java.util.List;

/**
 * Gradient figures of one decoder layer.
 *
 * @param gradNorm            L2 norm of the gradient over all the layer's parameters
 * @param inputResidualGradNorm  |dL/dh| at the layer's input (the residual stream entering it)
 * @param outputResidualGradNorm |dL/dh| at its output
 * @param expertTokens        tokens each routed expert received (top-k assignments), or null for a dense layer
 * @param vanishing           gradNorm below {@link GradientFlowReport#VANISHING}
 * @param exploding           gradNorm above {@link GradientFlowReport#EXPLODING}, or NaN/Inf
 */
public record LayerFlow(int layer, boolean moe, double gradNorm, double inputResidualGradNorm,
                        double outputResidualGradNorm, List<ComponentFlow> components, int[] expertTokens,
                        boolean vanishing, boolean exploding) {

    /** The component of this layer with that name (q, router, expert.3...), or null. */
    public ComponentFlow component(String name) {
        return components.stream().filter(c -> c.name().equals(name)).findFirst().orElse(null);
    }
}
