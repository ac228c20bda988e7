package io.moescope.backend;

import io.moescope.tensor.FloatTensor;

/**
 * Every operation the models run, for one device. Models call this interface and never a
 * backend class directly, so the CPU, OpenCL and CUDA backends (and a TornadoVM one, where it can
 * be installed) are interchangeable. Weights are uploaded once and stay resident; operations take
 * and return resident tensors, and only {@link #download} copies values back to the host.
 *
 * <p>Shapes are row-major; "[T, D]" means T rows of D values. Unless an operation says "in place",
 * it returns a new tensor and leaves its inputs alone.
 */
public interface Backend extends AutoCloseable {

    /** Short name used on the command line: java, opencl, ptx. */
    String name();

    /** The device this backend runs on, for `moescope devices` and the status bar. */
    DeviceInfo device();

    // ---- moving data -------------------------------------------------------------------------

    /** Makes a checkpoint weight resident (for the CPU backend, without copying a mapped F32 tensor). */
    Tensor upload(FloatTensor weight);

    Tensor upload(float[] values, int... shape);

    Tensor uploadInts(int[] values, int... shape);

    Tensor zeros(int... shape);

    float[] download(Tensor t);

    int[] downloadInts(Tensor t);

    /** The same values under another shape of equal size, sharing storage (no copy). */
    Tensor reshape(Tensor t, int... shape);

    // ---- forward operations ------------------------------------------------------------------

    /** Rows of {@code table} [V, D] picked by {@code ids} (int [T]): [T, D]. */
    Tensor embedding(Tensor table, Tensor ids);

    /** x [T, K] times w [N, K] transposed, plus bias [N] when not null: [T, N]. */
    Tensor linear(Tensor x, Tensor w, Tensor bias);

    /** RMSNorm of every consecutive group of w.size() values: x / sqrt(mean(x^2) + eps) * w. */
    Tensor rmsNorm(Tensor x, Tensor w, float eps);

    /**
     * In place: rotates, for each of the rows of x viewed as [T, heads, stride], the rotary.dim()
     * values starting at column {@code offset}, by the angles of position t.
     */
    void rope(Tensor x, int heads, int stride, int offset, Rotary rotary);

    /**
     * Causal softmax attention. q [T, H, qkDim], k [T, Hkv, qkDim], v [T, Hkv, vDim]. Returns the
     * context [T, H * vDim] and, when {@code keepProbabilities}, the probabilities [H, T, T]
     * (zero where masked).
     */
    AttentionOutput attention(Tensor q, Tensor k, Tensor v, AttentionSpec spec, boolean keepProbabilities);

    /** silu(gate) * up, elementwise. */
    Tensor swiglu(Tensor gate, Tensor up);

    /** a + b, elementwise, same shapes. */
    Tensor add(Tensor a, Tensor b);

    /** In place: acc += x. */
    void addInPlace(Tensor acc, Tensor x);

    /** In place: x = clamp(x, -limit, limit). */
    void clamp(Tensor x, float limit);

    /** In place: row t of x [T, D] *= sigmoid(gate[t]) for gate [T, 1]. */
    void scaleRowsBySigmoid(Tensor x, Tensor gate);

    /**
     * Copies a block of columns between matrices: for r in [0, rows), dst row r, columns
     * [dstCol, dstCol + width) get src row (r / srcRowDivisor), columns [srcCol, srcCol + width).
     * A divisor above 1 broadcasts one source row to several destination rows. In place on dst.
     */
    void copyColumns(Tensor src, int srcCol, int srcRowDivisor, Tensor dst, int dstCol, int rows, int width);

    /** Router decision from logits [T, E] (and DeepSeek-V3's correction bias [E], or null). */
    Routing route(Tensor logits, RouterSpec spec, Tensor correctionBias);

    /**
     * The routed part of an MoE block: each expert runs once over the tokens routed to it
     * (gathered), and outputs are scattered back weighted by the routing: x [T, D] -> [T, D].
     */
    Tensor experts(Tensor x, Routing routing, ExpertWeights weights);

    /** Mean cross-entropy of logits [T, V] rows 0..T-2 against targets ids[1..T-1]: a [1] tensor. */
    Tensor nextTokenLoss(Tensor logits, Tensor ids);

    // ---- backward operations -----------------------------------------------------------------
    // Each is the adjoint of the forward operation named; "accumulate" means += into the given
    // gradient tensor (null to skip it), so that shared and repeated weights sum their gradients.

    /** dTable[ids[t]] += dOut[t] (accumulate). */
    void embeddingBackward(Tensor dOut, Tensor ids, Tensor dTable);

    /** Returns dx [T, K] = dy w; accumulates dW += dy^T x and dBias += column sums of dy (either may be null). */
    Tensor linearBackward(Tensor dy, Tensor x, Tensor w, Tensor dW, Tensor dBias);

    /** Returns dx of {@link #rmsNorm}; accumulates dW (may be null). */
    Tensor rmsNormBackward(Tensor dy, Tensor x, Tensor w, float eps, Tensor dW);

    /** In place: the adjoint of {@link #rope} (rotation by the negative angles) on a gradient. */
    void ropeBackward(Tensor dx, int heads, int stride, int offset, Rotary rotary);

    /**
     * Gradients of {@link #attention} from dContext [T, H * vDim], given its inputs and the
     * probabilities it returned: dq [T, H, qkDim], dk [T, Hkv, qkDim], dv [T, Hkv, vDim].
     */
    AttentionGradients attentionBackward(Tensor dContext, Tensor q, Tensor k, Tensor v, Tensor probabilities, AttentionSpec spec);

    /** Gradients of {@link #swiglu}: {dGate, dUp}. */
    Tensor[] swigluBackward(Tensor dOut, Tensor gate, Tensor up);

    /** In place: zeroes dx where the clamped value x sits at the limit (clamp passes no gradient there). */
    void clampBackward(Tensor dx, Tensor x, float limit);

    /**
     * Gradients of {@link #scaleRowsBySigmoid} given the unscaled rows x [T, D] and gate [T, 1]:
     * {dx, dGate}.
     */
    Tensor[] scaleRowsBySigmoidBackward(Tensor dOut, Tensor x, Tensor gate);

    /** The adjoint of {@link #copyColumns}: dSrc rows (r / srcRowDivisor), columns from srcCol, += dDst rows r (accumulate). */
    void copyColumnsBackward(Tensor dDst, int dstCol, Tensor dSrc, int srcCol, int srcRowDivisor, int rows, int width);

    /**
     * Gradient of the routing weights with respect to the router logits [T, E], through the
     * chosen experts' scores, renormalisation and scaling; the choice itself passes none.
     */
    Tensor routeBackward(Tensor dWeight, Tensor logits, Routing routing, Tensor correctionBias);

    /**
     * Gradients of {@link #experts}: returns {dx [T, D], dWeight [T, k]} and accumulates each
     * expert's weight gradients into dWeights (same layout as the weights).
     */
    Tensor[] expertsBackward(Tensor dOut, Tensor x, Routing routing, ExpertWeights weights, ExpertWeights dWeights);

    /** Gradient of {@link #nextTokenLoss} times {@code scale}, with respect to the logits [T, V]. */
    Tensor nextTokenLossBackward(Tensor logits, Tensor ids, float scale);

    /**
     * Gradient, with respect to logits [T, E], of scale * sum_t sum_e c[e] * softmax(logits[t])[e]:
     * the shape of the load-balancing loss's gradient, where c holds the experts' load fractions.
     */
    Tensor softmaxWeightedSumBackward(Tensor logits, float[] c, float scale);

    // ---- training ----------------------------------------------------------------------------

    /** In place: x *= s. */
    void scale(Tensor x, float s);

    /** In place: x = 0. */
    void fill(Tensor x, float value);

    /** Sum of squares of all values (for gradient norms and clipping), computed in double. */
    double sumOfSquares(Tensor x);

    /** In place: one AdamW step (decoupled weight decay) on param with grad, moments m and v; step counts from 1. */
    void adamW(Tensor param, Tensor grad, Tensor m, Tensor v, float lr, float beta1, float beta2, float eps,
               float weightDecay, int step);

    /** In place: one Lion step (sign of interpolated momentum, decoupled weight decay). */
    void lion(Tensor param, Tensor grad, Tensor m, float lr, float beta1, float beta2, float weightDecay);

    /** Waits for queued work (a no-op where operations are synchronous). */
    default void synchronize() {}

    @Override
    default void close() {}
}
