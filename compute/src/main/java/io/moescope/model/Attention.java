package io.moescope.model;

import io.moescope.backend.AttentionOutput;
import io.moescope.backend.AttentionPattern;
import io.moescope.backend.Backend;
import io.moescope.backend.Tensor;

/** The self-attention block of one decoder layer. */
public interface Attention {
    /**
     * @param x normalised hidden states [T, D]
     * @return the block's output [T, D] (after the output projection) and, when asked for, the
     *         probabilities [H, T, T]
     */
    default AttentionOutput forward(Backend b, Tensor x, int T, boolean keepProbabilities) {
        return forward(b, x, T, keepProbabilities, null);
    }

    /** As above with another attention pattern, or null for the model's own. */
    AttentionOutput forward(Backend b, Tensor x, int T, boolean keepProbabilities, AttentionPattern pattern);

    int heads();
}
