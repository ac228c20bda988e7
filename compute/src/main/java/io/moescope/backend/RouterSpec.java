package io.moescope.backend;

/**
 * How router logits become expert choices.
 *
 * @param rule            the scoring and selection rule
 * @param experts         E
 * @param k               experts per token
 * @param groups          expert groups (1 = no group limit)
 * @param keptGroups      groups a token may choose from
 * @param renormalize     divide the k weights by their sum
 * @param scaling         factor on the final weights (DeepSeek's routed_scaling_factor)
 */
public record RouterSpec(Rule rule, int experts, int k, int groups, int keptGroups, boolean renormalize, float scaling) {

    public enum Rule {
        /** softmax over all experts, top-k of the probabilities (Mixtral, Qwen, OLMoE, DeepSeek-V2 greedy) */
        SOFTMAX,
        /** softmax, then only the keptGroups groups with the highest single probability (DeepSeek-V2) */
        SOFTMAX_GROUP_MAX,
        /** sigmoid; choice by score + bias within groups ranked by their two best (DeepSeek-V3) */
        SIGMOID_GROUP_TOP2
    }
}
