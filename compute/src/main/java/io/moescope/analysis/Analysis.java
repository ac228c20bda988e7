package io.moescope.analysis;

import io.moescope.model.ForwardResult;
import io.moescope.model.ModelConfig;
import java.util.List;
import java.util.Optional;

/**
 * One analysed prompt: the forward pass with every probe, and the figures derived from it that
 * the workbench, the report and the command line show. Views draw from this; they never compute.
 *
 * @param tokens       display text of each input token (from the tokenizer, or the ids when there is none)
 * @param routing      one entry per MoE layer, in layer order
 * @param flows        top-1 transitions between consecutive MoE layers (one fewer than routing)
 * @param forwardNanos time of the forward pass alone
 * @param totalNanos   forward pass plus the derived figures
 */
public record Analysis(ModelConfig config, ForwardResult forward, List<String> tokens, ExpertLoad load,
                       List<LayerRouting> routing, List<ExpertFlow> flows, AttentionStats attention,
                       long forwardNanos, long totalNanos) {

    public int tokenCount() {
        return forward.tokens();
    }

    public int[] ids() {
        return forward.ids();
    }

    public int layers() {
        return forward.attention().size();
    }

    public int heads(int layer) {
        return forward.attentionHeads().get(layer);
    }

    /** Probability that query token q gives key token k in one head of one layer. */
    public float attention(int layer, int head, int q, int k) {
        int T = tokenCount();
        return forward.attention().get(layer)[(head * T + q) * T + k];
    }

    /** The routing of decoder layer {@code layer}, or empty for a dense layer. */
    public Optional<LayerRouting> routingOfLayer(int layer) {
        for (LayerRouting r : routing) if (r.layer() == layer) return Optional.of(r);
        return Optional.empty();
    }

    public boolean hasMoe() {
        return !routing.isEmpty();
    }
}
