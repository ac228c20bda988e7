package io.moescope.grad;

import java.util.List;

/**
 * How the gradient of the loss flows through a model for some token sequences (averaged over them):
 * per layer and per component, along the residual stream, and into each expert.
 *
 * @param sequences         how many sequences were averaged
 * @param tokens            their total length
 * @param loss              mean cross-entropy over the sequences
 * @param auxLoss           mean load-balancing loss before its coefficient (NaN where undefined)
 * @param auxLossCoef       the coefficient it entered the gradients with (0: cross-entropy only)
 * @param totalGradNorm     L2 norm of the whole gradient
 * @param global            the model-wide components: embeddings, final_norm, output_head (absent when tied)
 * @param residualGradNorms L+1 norms of dL/dh: index l at the input of layer l, index L after the
 *                          last layer (before the final norm); each the mean over the sequences
 */
public record GradientFlowReport(String modelType, int sequences, long tokens, double loss, double auxLoss,
                                 double auxLossCoef, double learningRate, double totalGradNorm,
                                 List<ComponentFlow> global, List<LayerFlow> layers, double[] residualGradNorms) {

    /** A layer whose gradient norm is below this is flagged as vanishing. */
    public static final double VANISHING = 1e-7;
    /** A layer whose gradient norm is above this (or not finite) is flagged as exploding. */
    public static final double EXPLODING = 1e3;

    public static boolean vanishing(double norm) {
        return norm < VANISHING;
    }

    public static boolean exploding(double norm) {
        return !Double.isFinite(norm) || norm > EXPLODING;
    }

    /** The model-wide component with that name, or null. */
    public ComponentFlow globalComponent(String name) {
        return global.stream().filter(c -> c.name().equals(name)).findFirst().orElse(null);
    }
}
