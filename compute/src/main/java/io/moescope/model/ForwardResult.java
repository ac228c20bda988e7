package io.moescope.model;

import java.util.List;

/**
 * Everything one forward pass exposes for inspection.
 *
 * @param hidden    L+1 arrays [T, D]: embeddings, the outputs of layers 0..L-2, and the last layer's
 *                  output after the final norm (the layout transformers' hidden_states use)
 * @param attention per layer [H, T, T] probabilities (null entries when not requested)
 * @param moe       one trace per MoE layer, in layer order
 * @param loss      mean next-token cross-entropy (labels = ids shifted by one); NaN for one token
 * @param auxLoss   the load-balancing loss as Mixtral/Qwen/OLMoE define it (before its coefficient);
 *                  NaN for architectures that do not define one
 */
public record ForwardResult(int[] ids, int vocabSize, int hiddenSize, float[] logits, double loss, double auxLoss,
                            List<float[]> hidden, List<float[]> attention, List<Integer> attentionHeads,
                            List<MoeTrace> moe) {

    public int tokens() {
        return ids.length;
    }
}
