package io.moescope.model;

import io.moescope.backend.AttentionPattern;
import io.moescope.backend.Backend;
import io.moescope.backend.Routing;
import io.moescope.backend.Tensor;

/**
 * Changes to one forward pass, for experiments such as the mechanism lab: another attention
 * pattern per layer, or another routing per MoE layer. {@link #NONE} keeps the model's own
 * behaviour, so a forward pass without options is the model as its checkpoint defines it.
 */
public interface ForwardOptions {
    ForwardOptions NONE = new ForwardOptions() {};

    /** The attention pattern for decoder layer {@code layer} over T tokens, or null for the model's own. */
    default AttentionPattern attentionPattern(int layer, int tokens) {
        return null;
    }

    /**
     * The routing of the MoE block of decoder layer {@code layer} from its router's logits [T, E]
     * (resident on b), or null for the router's own rule. The returned routing's spec gives k.
     *
     * @param correctionBias the router's own selection bias [E] (DeepSeek-V3), or null
     */
    default Routing route(Backend b, int layer, Tensor correctionBias, Tensor logits) {
        return null;
    }
}
