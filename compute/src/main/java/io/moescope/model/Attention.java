package io.moescope.model;

import io.moescope.backend.AttentionOutput;
import io.moescope.backend.AttentionPattern;
import io.moescope.backend.AttentionSpec;
import io.moescope.backend.Backend;
import io.moescope.backend.Tensor;
import java.util.List;
import java.util.Map;

/** The self-attention block of one decoder layer: its forward pass and, after a recorded one, its backward. */
public interface Attention {
    /**
     * @param x                 normalised hidden states [T, D]
     * @param pattern           another attention pattern, or null for the model's own
     * @param keepProbabilities whether to return the probabilities (a recording tape keeps them anyway)
     * @param tape              null for inference, else where to save what {@link #backward} needs
     * @return the block's output [T, D] (after the output projection) and, when asked for, the
     *         probabilities [H, T, T]
     */
    AttentionOutput forward(Backend b, Tensor x, int T, AttentionPattern pattern, boolean keepProbabilities, Tape tape);

    /** dL/dx, the gradient with respect to the normalised hidden state, from dL/d(output). */
    Tensor backward(Backend b, Tape tape, Tensor dOut, WeightGradients g);

    /** The attention call's shape for T tokens, before any pattern the options put in its place. */
    AttentionSpec spec(int T);

    default int heads() {
        return spec(1).heads();
    }

    /** Its weights by part (q, k, v, o...: the names the gradient flow reports), in a fixed order. */
    Map<String, List<Tensor>> parts();
}
