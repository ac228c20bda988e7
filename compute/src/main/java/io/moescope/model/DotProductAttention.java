package io.moescope.model;

import io.moescope.backend.AttentionGradients;
import io.moescope.backend.AttentionOutput;
import io.moescope.backend.AttentionPattern;
import io.moescope.backend.AttentionSpec;
import io.moescope.backend.Backend;
import io.moescope.backend.Tensor;

/**
 * The step every attention block ends with, once it has made its queries, keys and values: one
 * scaled dot-product attention call, then the output projection. The record is what backward needs
 * of it; the block saves it inside its own record.
 *
 * @param q       queries as attended [T, H * dqk]
 * @param k       keys as attended
 * @param v       values as attended
 * @param probs   attention probabilities [H, T, T]; null in inference unless asked for
 * @param context attention output before the output projection
 */
record DotProductAttention(AttentionSpec spec, Tensor q, Tensor k, Tensor v, Tensor probs, Tensor context) {

    /**
     * @param pattern another attention pattern than the spec's, or null
     * @param tape    a recording tape makes the probabilities, which backward needs
     */
    static DotProductAttention attend(Backend b, Tensor q, Tensor k, Tensor v, AttentionSpec spec, AttentionPattern pattern,
                                      boolean keepProbabilities, Tape tape) {
        AttentionSpec s = pattern == null ? spec : spec.withPattern(pattern);
        AttentionOutput a = b.attention(q, k, v, s, keepProbabilities || tape != null);
        return new DotProductAttention(s, q, k, v, a.probabilities(), a.context());
    }

    /** The block's output [T, D] through o, and the probabilities when asked for; inference frees the rest. */
    AttentionOutput project(Backend b, Linear o, boolean keepProbabilities, Tape tape) {
        Tensor out = o.apply(b, context);
        Tape.release(tape, q, k, v, context);
        return new AttentionOutput(out, keepProbabilities ? probs : null);
    }

    /** dq, dk and dv from dL/d(block output), adding into o's gradients. */
    AttentionGradients backward(Backend b, Linear o, Tensor dOut, WeightGradients g) {
        try (Tensor dContext = o.backward(b, dOut, context, g)) {
            return b.attentionBackward(dContext, q, k, v, probs, spec);
        }
    }
}
