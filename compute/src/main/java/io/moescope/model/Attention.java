package io.moescope.model;

/** A self-attention block of one decoder layer. */
public interface Attention {
    /**
     * @param x     normalised hidden states [T, D]
     * @param probs [H, T, T] to receive the attention probabilities, or null
     * @return the block's output [T, D] (after the output projection)
     */
    float[] forward(float[] x, int T, float[] probs);

    int heads();
}
