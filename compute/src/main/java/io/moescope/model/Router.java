package io.moescope.model;

import io.moescope.tensor.CpuOps;
import io.moescope.tensor.FloatTensor;

/**
 * Chooses experts for each token. One class covers the three routing rules of the supported
 * architectures, because they share the logits and differ only in how scores become choices.
 */
public final class Router {
    private final ModelConfig cfg;
    private final FloatTensor weight;        // [E, D]
    private final float[] correctionBias;    // DeepSeek-V3 e_score_correction_bias, or null

    public Router(ModelConfig cfg, FloatTensor weight, float[] correctionBias) {
        this.cfg = cfg;
        this.weight = weight;
        this.correctionBias = correctionBias;
    }

    public FloatTensor weight() {
        return weight;
    }

    public float[] correctionBias() {
        return correctionBias;
    }

    public RouterDecision route(float[] x, int T) {
        int E = cfg.numExperts(), k = cfg.topK();
        float[] logits = CpuOps.linear(x, T, weight, null);
        int[] idx = new int[T * k];
        float[] w = new float[T * k];
        float[] scores = new float[E];
        float[] choice = new float[E];
        for (int t = 0; t < T; t++) {
            switch (cfg.routerKind()) {
                case SOFTMAX_TOPK -> {
                    CpuOps.softmax(logits, t * E, E, scores, 0);
                    System.arraycopy(scores, 0, choice, 0, E);
                }
                case SOFTMAX_GROUP_LIMITED -> {
                    CpuOps.softmax(logits, t * E, E, scores, 0);
                    System.arraycopy(scores, 0, choice, 0, E);
                    maskGroups(choice, groupMax(choice));
                }
                case SIGMOID_GROUP_LIMITED -> {
                    for (int e = 0; e < E; e++) {
                        scores[e] = CpuOps.sigmoid(logits[t * E + e]);
                        choice[e] = scores[e] + (correctionBias == null ? 0f : correctionBias[e]);
                    }
                    maskGroups(choice, groupTopTwoSum(choice));
                }
            }
            int[] chosen = topK(choice, k);
            float sum = 0f;
            for (int j = 0; j < k; j++) {
                idx[t * k + j] = chosen[j];
                w[t * k + j] = scores[chosen[j]];
                sum += scores[chosen[j]];
            }
            if (cfg.normTopkProb()) {
                // DeepSeek-V3 guards the division with 1e-20; softmax sums are never zero.
                float denom = cfg.routerKind() == ModelConfig.RouterKind.SIGMOID_GROUP_LIMITED ? sum + 1e-20f : sum;
                for (int j = 0; j < k; j++) w[t * k + j] /= denom;
            }
            if (cfg.routedScalingFactor() != 1.0) {
                for (int j = 0; j < k; j++) w[t * k + j] *= (float) cfg.routedScalingFactor();
            }
        }
        return new RouterDecision(T, E, k, logits, idx, w);
    }

    private float[] groupMax(float[] choice) {
        int G = cfg.nGroup(), per = cfg.numExperts() / G;
        float[] g = new float[G];
        for (int i = 0; i < G; i++) {
            float m = Float.NEGATIVE_INFINITY;
            for (int e = 0; e < per; e++) m = Math.max(m, choice[i * per + e]);
            g[i] = m;
        }
        return g;
    }

    private float[] groupTopTwoSum(float[] choice) {
        int G = cfg.nGroup(), per = cfg.numExperts() / G;
        float[] g = new float[G];
        for (int i = 0; i < G; i++) {
            float a = Float.NEGATIVE_INFINITY, b = Float.NEGATIVE_INFINITY;
            for (int e = 0; e < per; e++) {
                float s = choice[i * per + e];
                if (s > a) {
                    b = a;
                    a = s;
                } else if (s > b) {
                    b = s;
                }
            }
            g[i] = a + b;
        }
        return g;
    }

    /** Keeps the topk_group best groups; like transformers, the others' scores become 0, not -inf. */
    private void maskGroups(float[] choice, float[] groupScores) {
        int G = cfg.nGroup(), per = cfg.numExperts() / G;
        int[] keep = topK(groupScores, cfg.topkGroup());
        boolean[] kept = new boolean[G];
        for (int g : keep) kept[g] = true;
        for (int i = 0; i < G; i++) {
            if (!kept[i]) for (int e = 0; e < per; e++) choice[i * per + e] = 0f;
        }
    }

    /** Indices of the k largest values, best first; ties go to the lower index. */
    static int[] topK(float[] values, int k) {
        int[] best = new int[k];
        boolean[] taken = new boolean[values.length];
        for (int j = 0; j < k; j++) {
            int arg = -1;
            for (int i = 0; i < values.length; i++) {
                if (!taken[i] && (arg < 0 || values[i] > values[arg])) arg = i;
            }
            best[j] = arg;
            taken[arg] = true;
        }
        return best;
    }
}
