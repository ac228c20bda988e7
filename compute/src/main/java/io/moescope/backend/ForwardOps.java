package io.moescope.backend;

/**
 * The operations of a forward pass. Shapes are row-major; "[T, D]" means T rows of D values. Unless
 * an operation says "in place", it returns a new tensor and leaves its inputs alone.
 */
public interface ForwardOps {

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
}
