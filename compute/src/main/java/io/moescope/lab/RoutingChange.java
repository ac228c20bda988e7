package io.moescope.lab;

import java.util.Map;
import java.util.Set;

/**
 * A change to how MoE layers route tokens, applied at inference. Every field has a "keep the
 * model's own" value, so one record describes any combination.
 *
 * @param rule            the selection rule, or null for the model's own
 * @param k               experts per token; 0 for the model's own
 * @param noiseStd        NOISY_TOPK: standard deviation of the Gaussian noise on the logits
 * @param temperature     GUMBEL_TOPK: temperature of the Gumbel-softmax
 * @param seed            seeds the noise of NOISY_TOPK and GUMBEL_TOPK (same seed, same choices)
 * @param bias            SIGMOID_BIAS: per-expert bias added to the scores for the choice only; null for zeros
 * @param groups          GROUP_LIMITED: expert groups
 * @param keptGroups      GROUP_LIMITED: groups a token may choose from
 * @param capacityFactor  0 for no capacity; else each expert takes at most
 *                        ceil(capacityFactor * tokens * k / experts) token slots, in token order, and
 *                        later tokens skip it (Switch/GShard); the overflow is counted
 * @param disabled        experts that are never chosen (their probability is masked before top-k)
 * @param forced          token position to expert: that token's first choice becomes that expert
 * @param biasSteps       DeepSeek-V3 bias adjustment: steps of the loss-free balancing update run
 *                        on the text before the variant (0 for none); needs a sigmoid router
 * @param biasRate        its update rate (DeepSeek-V3 uses 0.001)
 */
public record RoutingChange(Rule rule, int k, double noiseStd, double temperature, long seed, float[] bias,
                            int groups, int keptGroups, double capacityFactor, Set<Integer> disabled,
                            Map<Integer, Integer> forced, int biasSteps, double biasRate) {

    public enum Rule {
        /** softmax over the experts, top-k of the probabilities */
        SOFTMAX_TOPK,
        /** Gaussian noise on the logits, then softmax top-k (Shazeer et al. 2017) */
        NOISY_TOPK,
        /** Gumbel noise on the logits / temperature, then softmax top-k */
        GUMBEL_TOPK,
        /** sigmoid scores, choice by score + bias, weights from the scores (DeepSeek-V3 style, no groups) */
        SIGMOID_BIAS,
        /** softmax, then top-k within the keptGroups groups whose best expert scores highest */
        GROUP_LIMITED
    }

    /** Changes nothing. */
    public static final RoutingChange NONE = new RoutingChange(null, 0, 0, 1, 0, null, 1, 1, 0, Set.of(), Map.of(), 0, 0.001);

    public RoutingChange {
        disabled = Set.copyOf(disabled);
        forced = Map.copyOf(forced);
        bias = bias == null ? null : bias.clone();
        if (k < 0) throw new IllegalArgumentException("k must be 0 (the model's) or positive, got " + k);
        // NaN passes a "< 0" test and then routes nothing: every number must be finite.
        if (!(capacityFactor >= 0) || Double.isInfinite(capacityFactor)) throw new IllegalArgumentException("capacity factor must be 0 (none) or positive, got " + capacityFactor);
        if (!(temperature > 0) || Double.isInfinite(temperature)) throw new IllegalArgumentException("Gumbel temperature must be positive, got " + temperature);
        if (!(noiseStd >= 0) || Double.isInfinite(noiseStd)) throw new IllegalArgumentException("noise standard deviation must not be negative, got " + noiseStd);
    }

    public boolean isNone() {
        return equals(NONE);
    }

    public RoutingChange withRule(Rule r) {
        return new RoutingChange(r, k, noiseStd, temperature, seed, bias, groups, keptGroups, capacityFactor, disabled, forced, biasSteps, biasRate);
    }

    public RoutingChange withK(int newK) {
        return new RoutingChange(rule, newK, noiseStd, temperature, seed, bias, groups, keptGroups, capacityFactor, disabled, forced, biasSteps, biasRate);
    }

    public RoutingChange withNoise(double std, long newSeed) {
        return new RoutingChange(rule, k, std, temperature, newSeed, bias, groups, keptGroups, capacityFactor, disabled, forced, biasSteps, biasRate);
    }

    public RoutingChange withTemperature(double t, long newSeed) {
        return new RoutingChange(rule, k, noiseStd, t, newSeed, bias, groups, keptGroups, capacityFactor, disabled, forced, biasSteps, biasRate);
    }

    public RoutingChange withBias(float[] b) {
        return new RoutingChange(rule, k, noiseStd, temperature, seed, b, groups, keptGroups, capacityFactor, disabled, forced, biasSteps, biasRate);
    }

    public RoutingChange withGroups(int g, int kept) {
        return new RoutingChange(rule, k, noiseStd, temperature, seed, bias, g, kept, capacityFactor, disabled, forced, biasSteps, biasRate);
    }

    public RoutingChange withCapacity(double factor) {
        return new RoutingChange(rule, k, noiseStd, temperature, seed, bias, groups, keptGroups, factor, disabled, forced, biasSteps, biasRate);
    }

    public RoutingChange withDisabled(Set<Integer> experts) {
        return new RoutingChange(rule, k, noiseStd, temperature, seed, bias, groups, keptGroups, capacityFactor, experts, forced, biasSteps, biasRate);
    }

    public RoutingChange withForced(Map<Integer, Integer> tokenToExpert) {
        return new RoutingChange(rule, k, noiseStd, temperature, seed, bias, groups, keptGroups, capacityFactor, disabled, tokenToExpert, biasSteps, biasRate);
    }

    public RoutingChange withBiasAdjustment(int steps, double rate) {
        return new RoutingChange(rule, k, noiseStd, temperature, seed, bias, groups, keptGroups, capacityFactor, disabled, forced, steps, rate);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RoutingChange r && r.rule == rule && r.k == k && r.noiseStd == noiseStd
                && r.temperature == temperature && r.seed == seed && java.util.Arrays.equals(r.bias, bias)
                && r.groups == groups && r.keptGroups == keptGroups && r.capacityFactor == capacityFactor
                && r.disabled.equals(disabled) && r.forced.equals(forced) && r.biasSteps == biasSteps && r.biasRate == biasRate;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(rule, k, noiseStd, temperature, seed, java.util.Arrays.hashCode(bias), groups,
                keptGroups, capacityFactor, disabled, forced, biasSteps, biasRate);
    }
}
