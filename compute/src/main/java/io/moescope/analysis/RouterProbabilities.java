package io.moescope.analysis;

import io.moescope.backend.RoutingRule;
import io.moescope.model.ModelConfig.RouterKind;

/**
 * Router logits as a distribution over experts. Softmax routers define one; DeepSeek-V3's sigmoid
 * scores are independent per expert, so they are divided by their sum to make entropy and the
 * load-balancing figure comparable across architectures.
 */
public final class RouterProbabilities {
    private RouterProbabilities() {}

    /** @return [T, E] probabilities, each row summing to 1 */
    public static float[] of(RouterKind kind, float[] logits, int T, int E) {
        float[] p = new float[T * E];
        float[] row = new float[E];
        for (int t = 0; t < T; t++) {
            if (kind == RouterKind.SIGMOID_GROUP_LIMITED) {
                double sum = 0;
                for (int e = 0; e < E; e++) {
                    row[e] = (float) (1.0 / (1.0 + Math.exp(-logits[t * E + e])));
                    sum += row[e];
                }
                for (int e = 0; e < E; e++) row[e] = (float) (row[e] / sum);
            } else {
                RoutingRule.softmax(logits, t * E, E, row);
            }
            System.arraycopy(row, 0, p, t * E, E);
        }
        return p;
    }
}
