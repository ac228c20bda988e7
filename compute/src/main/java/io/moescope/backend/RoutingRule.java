package io.moescope.backend;

/**
 * The reference selection rule for one token: from router logits to k experts and weights. The
 * CPU backend runs it directly; GPU backends implement the same steps in their kernels and are
 * tested against it.
 */
public final class RoutingRule {
    private RoutingRule() {}

    /**
     * @param logits  E router logits of one token, from {@code offset}
     * @param bias    DeepSeek-V3 correction bias [E], or null
     * @param index   receives k expert indices, best first, from {@code outOffset}
     * @param weight  receives their k weights
     */
    public static void select(RouterSpec spec, float[] logits, int offset, float[] bias,
                              int[] index, float[] weight, int outOffset) {
        int k = spec.k();
        float[] scores = new float[spec.experts()];
        float[] choice = new float[spec.experts()];
        scores(spec, logits, offset, bias, scores, choice);
        int[] chosen = topK(choice, k);
        float sum = 0f;
        for (int j = 0; j < k; j++) sum += scores[chosen[j]];
        // DeepSeek-V3 guards the division with 1e-20; a softmax sum is never zero.
        float denom = spec.rule() == RouterSpec.Rule.SIGMOID_GROUP_TOP2 ? sum + 1e-20f : sum;
        for (int j = 0; j < k; j++) {
            float w = scores[chosen[j]];
            if (spec.renormalize()) w /= denom;
            index[outOffset + j] = chosen[j];
            weight[outOffset + j] = w * spec.scaling();
        }
    }

    /**
     * The first steps of {@link #select} for one token: each expert's score (what its weight is
     * made of) and the value it is chosen by (score plus bias; 0 outside the kept groups).
     */
    public static void scores(RouterSpec spec, float[] logits, int offset, float[] bias, float[] scores, float[] choice) {
        int E = spec.experts();
        switch (spec.rule()) {
            case SOFTMAX, SOFTMAX_GROUP_MAX -> {
                softmax(logits, offset, E, scores);
                System.arraycopy(scores, 0, choice, 0, E);
                if (spec.rule() == RouterSpec.Rule.SOFTMAX_GROUP_MAX) maskGroups(spec, choice, groupMax(spec, choice));
            }
            case SIGMOID_GROUP_TOP2 -> {
                for (int e = 0; e < E; e++) {
                    scores[e] = 1f / (1f + (float) Math.exp(-logits[offset + e]));
                    choice[e] = scores[e] + (bias == null ? 0f : bias[e]);
                }
                maskGroups(spec, choice, groupTopTwoSum(spec, choice));
            }
        }
    }

    /** Softmax of n values summed in double, as stable as PyTorch's float32 softmax needs. */
    public static void softmax(float[] x, int off, int n, float[] out) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) max = Math.max(max, x[off + i]);
        double sum = 0;
        for (int i = 0; i < n; i++) sum += Math.exp(x[off + i] - max);
        for (int i = 0; i < n; i++) out[i] = (float) (Math.exp(x[off + i] - max) / sum);
    }

    private static float[] groupMax(RouterSpec spec, float[] choice) {
        int G = spec.groups(), per = spec.experts() / G;
        float[] g = new float[G];
        for (int i = 0; i < G; i++) {
            float m = Float.NEGATIVE_INFINITY;
            for (int e = 0; e < per; e++) m = Math.max(m, choice[i * per + e]);
            g[i] = m;
        }
        return g;
    }

    private static float[] groupTopTwoSum(RouterSpec spec, float[] choice) {
        int G = spec.groups(), per = spec.experts() / G;
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

    /** Keeps the best keptGroups groups; like transformers, the others' scores become 0, not -inf. */
    private static void maskGroups(RouterSpec spec, float[] choice, float[] groupScores) {
        int G = spec.groups(), per = spec.experts() / G;
        boolean[] kept = new boolean[G];
        for (int g : topK(groupScores, spec.keptGroups())) kept[g] = true;
        for (int i = 0; i < G; i++) {
            if (!kept[i]) for (int e = 0; e < per; e++) choice[i * per + e] = 0f;
        }
    }

    /** Indices of the k largest values, best first; ties go to the lower index. */
    public static int[] topK(float[] values, int k) {
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
