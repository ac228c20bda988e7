package io.moescope.backend;

/**
 * The gradients of the forward operations. Each is the adjoint of the {@link ForwardOps} operation
 * named; "accumulate" means += into the given gradient tensor (null to skip it), so that shared
 * and repeated weights sum their gradients.
 */
public interface BackwardOps {

    /** dTable[ids[t]] += dOut[t] (accumulate). */
    void embeddingBackward(Tensor dOut, Tensor ids, Tensor dTable);

    /** Returns dx [T, K] = dy w; accumulates dW += dy^T x and dBias += column sums of dy (either may be null). */
    Tensor linearBackward(Tensor dy, Tensor x, Tensor w, Tensor dW, Tensor dBias);

    /** Returns dx of {@link ForwardOps#rmsNorm}; accumulates dW (may be null). */
    Tensor rmsNormBackward(Tensor dy, Tensor x, Tensor w, float eps, Tensor dW);

    /** In place: the adjoint of {@link ForwardOps#rope} (rotation by the negative angles) on a gradient. */
    void ropeBackward(Tensor dx, int heads, int stride, int offset, Rotary rotary);

    /**
     * Gradients of {@link ForwardOps#attention} from dContext [T, H * vDim], given its inputs and the
     * probabilities it returned: dq [T, H, qkDim], dk [T, Hkv, qkDim], dv [T, Hkv, vDim].
     */
    AttentionGradients attentionBackward(Tensor dContext, Tensor q, Tensor k, Tensor v, Tensor probabilities, AttentionSpec spec);

    /** Gradients of {@link ForwardOps#swiglu}: {dGate, dUp}. */
    Tensor[] swigluBackward(Tensor dOut, Tensor gate, Tensor up);

    /** In place: zeroes dx where the clamped value x sits at the limit (clamp passes no gradient there). */
    void clampBackward(Tensor dx, Tensor x, float limit);

    /**
     * Gradients of {@link ForwardOps#scaleRowsBySigmoid} given the unscaled rows x [T, D] and gate [T, 1]:
     * {dx, dGate}.
     */
    Tensor[] scaleRowsBySigmoidBackward(Tensor dOut, Tensor x, Tensor gate);

    /** The adjoint of {@link ForwardOps#copyColumns}: dSrc rows (r / srcRowDivisor), columns from srcCol, += dDst rows r (accumulate). */
    void copyColumnsBackward(Tensor dDst, int dstCol, Tensor dSrc, int srcCol, int srcRowDivisor, int rows, int width);

    /**
     * Gradient of the routing weights with respect to the router logits [T, E], through the
     * chosen experts' scores, renormalisation and scaling; the choice itself passes none.
     */
    Tensor routeBackward(Tensor dWeight, Tensor logits, Routing routing, Tensor correctionBias);

    /**
     * Gradients of {@link ForwardOps#experts}: returns {dx [T, D], dWeight [T, k]} and accumulates each
     * expert's weight gradients into dWeights (same layout as the weights).
     */
    Tensor[] expertsBackward(Tensor dOut, Tensor x, Routing routing, ExpertWeights weights, ExpertWeights dWeights);

    /** Gradient of {@link ForwardOps#nextTokenLoss} times {@code scale}, with respect to the logits [T, V]. */
    Tensor nextTokenLossBackward(Tensor logits, Tensor ids, float scale);

    /**
     * Gradient, with respect to logits [T, E], of scale * sum_t sum_e c[e] * softmax(logits[t])[e]:
     * the shape of the load-balancing loss's gradient, where c holds the experts' load fractions.
     */
    Tensor softmaxWeightedSumBackward(Tensor logits, float[] c, float scale);
}
