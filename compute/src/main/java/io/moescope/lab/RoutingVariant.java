package io.moescope.lab;

import io.moescope.backend.RouterSpec;
import io.moescope.backend.RoutingRule;
import io.moescope.analysis.ExpertLoad;
import io.moescope.model.ModelConfig;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A {@link RoutingChange} made concrete for one model: decides, on the host, which experts each
 * token of an MoE layer goes to and with what weight. Every backend runs the result, since only
 * the final indices and weights are uploaded.
 */
final class RoutingVariant {
    private final RoutingChange change;
    private final RouterSpec model;   // the model's own rule
    private final RouterSpec spec;    // the model's rule with the variant's k
    private final int experts, k;

    /** One layer's decision: [T, k] experts and weights, and which slots went over capacity (weight 0). */
    record Decision(int tokens, int k, int[] index, float[] weight, boolean[] dropped, long droppedCount) {}

    /** @throws IllegalArgumentException naming what does not fit this model */
    RoutingVariant(RoutingChange change, ModelConfig cfg, RouterSpec modelSpec) {
        this.change = change;
        this.model = modelSpec;
        this.experts = cfg.numExperts();
        if (cfg.moeLayerCount() == 0) throw new IllegalArgumentException("routing change on a model without MoE layers");
        int E = experts;
        this.k = change.k() == 0 ? cfg.topK() : change.k();
        if (k > E) throw new IllegalArgumentException("k = " + k + " exceeds the " + E + " experts");
        for (int e : change.disabled()) {
            if (e < 0 || e >= E) throw new IllegalArgumentException("disabled expert " + e + " outside 0.." + (E - 1));
        }
        if (E - change.disabled().size() < k) {
            throw new IllegalArgumentException(change.disabled().size() + " of " + E + " experts disabled leaves fewer than k = " + k);
        }
        for (Map.Entry<Integer, Integer> f : change.forced().entrySet()) {
            if (f.getKey() < 0) throw new IllegalArgumentException("forced token position " + f.getKey() + " is negative");
            if (f.getValue() < 0 || f.getValue() >= E) throw new IllegalArgumentException("token " + f.getKey() + " forced to expert " + f.getValue() + " outside 0.." + (E - 1));
        }
        if (change.rule() == RoutingChange.Rule.GROUP_LIMITED) {
            int g = change.groups(), kept = change.keptGroups();
            if (g < 1 || E % g != 0) throw new IllegalArgumentException(g + " expert groups do not divide the " + E + " experts");
            if (kept < 1 || kept > g) throw new IllegalArgumentException("kept groups " + kept + " must be 1.." + g);
            if (kept * (E / g) < k) throw new IllegalArgumentException(kept + " kept groups of " + (E / g) + " experts hold fewer than k = " + k);
        }
        if (change.bias() != null && change.bias().length != E) {
            throw new IllegalArgumentException("routing bias has " + change.bias().length + " values for " + E + " experts");
        }
        if ((change.bias() != null || change.biasSteps() > 0) && !usesSigmoid()) {
            throw new IllegalArgumentException((change.biasSteps() > 0 ? "DeepSeek-V3 bias adjustment" : "a routing bias")
                    + " needs a sigmoid router (rule SIGMOID_BIAS, or a DeepSeek-V3 model with its own rule); this model's router is "
                    + cfg.routerKind());
        }
        if (change.biasSteps() < 0) throw new IllegalArgumentException("bias adjustment steps must not be negative, got " + change.biasSteps());
        this.spec = new RouterSpec(model.rule(), E, k, model.groups(), model.keptGroups(), model.renormalize(), model.scaling());
    }

    int k() {
        return k;
    }

    /** The spec the uploaded routing carries (the experts operation reads k from it). */
    RouterSpec spec() {
        return spec;
    }

    /** Whether the choice is made on sigmoid scores plus a bias, where DeepSeek-V3's balancing applies. */
    boolean usesSigmoid() {
        return change.rule() == RoutingChange.Rule.SIGMOID_BIAS
                || (change.rule() == null && model.rule() == RouterSpec.Rule.SIGMOID_GROUP_TOP2);
    }

    /**
     * @param logits    [T, E] router logits
     * @param modelBias the router's own correction bias (used by the model's own rule), or null
     * @param extraBias added to the choice values of a sigmoid rule (the change's bias plus any
     *                  learned adjustment), or null
     * @param layer     decoder-layer index, so that each layer draws its own noise
     */
    Decision decide(float[] logits, int T, float[] modelBias, float[] extraBias, int layer) {
        int E = experts;
        for (int pos : change.forced().keySet()) {
            if (pos >= T) throw new IllegalArgumentException("forced token position " + pos + " is beyond the " + T + " tokens");
        }
        int[] index = new int[T * k];
        float[] weight = new float[T * k];
        float[] scores = new float[E], choice = new float[E], noisy = new float[E];
        SplittableRandom rnd = new SplittableRandom(change.seed() * 0x9E3779B97F4A7C15L + layer);
        RoutingChange.Rule rule = change.rule();
        boolean sigmoid = usesSigmoid();
        for (int t = 0; t < T; t++) {
            int off = t * E;
            if (rule == null) {
                RoutingRule.scores(spec, logits, off, sum(modelBias, extraBias), scores, choice);
            } else {
                switch (rule) {
                    case SOFTMAX_TOPK -> RoutingRule.softmax(logits, off, E, scores);
                    case NOISY_TOPK -> {
                        for (int e = 0; e < E; e++) noisy[e] = (float) (logits[off + e] + change.noiseStd() * rnd.nextGaussian());
                        RoutingRule.softmax(noisy, 0, E, scores);
                    }
                    case GUMBEL_TOPK -> {
                        for (int e = 0; e < E; e++) {
                            double u = rnd.nextDouble();
                            double g = -Math.log(-Math.log(Math.max(u, Double.MIN_NORMAL)));
                            noisy[e] = (float) ((logits[off + e] + g) / change.temperature());
                        }
                        RoutingRule.softmax(noisy, 0, E, scores);
                    }
                    case SIGMOID_BIAS -> {
                        for (int e = 0; e < E; e++) scores[e] = 1f / (1f + (float) Math.exp(-logits[off + e]));
                    }
                    case GROUP_LIMITED -> RoutingRule.softmax(logits, off, E, scores);
                }
                System.arraycopy(scores, 0, choice, 0, E);
                if (rule == RoutingChange.Rule.SIGMOID_BIAS && extraBias != null) {
                    for (int e = 0; e < E; e++) choice[e] += extraBias[e];
                }
                if (rule == RoutingChange.Rule.GROUP_LIMITED) {
                    RouterSpec g = new RouterSpec(RouterSpec.Rule.SOFTMAX_GROUP_MAX, E, k, change.groups(), change.keptGroups(), false, 1f);
                    RoutingRule.scores(g, logits, off, null, scores, choice);
                }
            }
            for (int e : change.disabled()) choice[e] = Float.NEGATIVE_INFINITY;
            Integer forced = change.forced().get(t);
            if (forced != null) choice[forced] = Float.POSITIVE_INFINITY;
            int[] chosen = RoutingRule.topK(choice, k);
            float sum = 0f;
            for (int j = 0; j < k; j++) sum += scores[chosen[j]];
            // Sigmoid scores do not sum to one: DeepSeek-V3 always renormalises them (guarding with 1e-20).
            boolean renormalize = rule == RoutingChange.Rule.SIGMOID_BIAS || spec.renormalize();
            float denom = sigmoid ? sum + 1e-20f : sum;
            for (int j = 0; j < k; j++) {
                float w = scores[chosen[j]];
                if (renormalize) w /= denom;
                index[t * k + j] = chosen[j];
                weight[t * k + j] = w * spec.scaling();
            }
        }
        boolean[] dropped = new boolean[T * k];
        long droppedCount = 0;
        if (change.capacityFactor() > 0) {
            long capacity = ExpertLoad.capacity(T, k, E, change.capacityFactor());
            long[] used = new long[E];
            for (int s = 0; s < T * k; s++) {   // token order, then each token's choices best first
                if (used[index[s]]++ >= capacity) {
                    dropped[s] = true;
                    weight[s] = 0f;
                    droppedCount++;
                }
            }
        }
        return new Decision(T, k, index, weight, dropped, droppedCount);
    }

    private static float[] sum(float[] a, float[] b) {
        if (a == null) return b;
        if (b == null) return a;
        float[] s = a.clone();
        for (int i = 0; i < s.length; i++) s[i] += b[i];
        return s;
    }
}
