package io.moescope.conformance;

/**
 * How close a backend must come to HF transformers. "Of max" tolerances are relative to the largest
 * |golden value| of the tensor compared ({@link io.moescope.testing.Closeness#assertClose}); the
 * others are absolute.
 *
 * @param logits logits, of max
 * @param loss cross-entropy loss, of the forward pass and of the loss-only pass
 * @param lossOnlyVsForward the loss-only pass against the forward pass's loss
 * @param hidden hidden states, of max
 * @param attention attention probabilities
 * @param router router inputs and router logits, of max
 * @param topkWeights weights of the chosen experts (the chosen sets must be identical)
 * @param moeOutput MoE block outputs, of max
 * @param auxLoss load-balancing loss
 * @param gradients every parameter's gradient, of max (no floor: an all-zero golden gradient wants zeros)
 */
record Tolerances(double logits, double loss, double lossOnlyVsForward, double hidden, double attention, double router,
                  double topkWeights, double moeOutput, double auxLoss, double gradients) {

    /**
     * The conformance README's numbers (lossOnlyVsForward is ours: the two passes run the same
     * kernels). Every backend meets them today; a backend that cannot gets its own instance here,
     * never a looser shared one.
     */
    static final Tolerances README = new Tolerances(1e-3, 1e-4, 1e-6, 1e-3, 2e-4, 1e-3, 1e-4, 1e-3, 1e-4, 2e-3);
}
