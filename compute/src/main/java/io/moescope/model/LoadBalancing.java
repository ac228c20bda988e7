package io.moescope.model;

import io.moescope.backend.Backend;
import io.moescope.backend.RoutingRule;
import io.moescope.backend.Tensor;
import java.util.List;

/**
 * The load-balancing loss of Mixtral, Qwen-MoE and OLMoE (as MoeModel reports it): over the N
 * token rows of all MoE layers, aux = E * sum_e f_e * P_e, where f_e is the fraction of top-k slots
 * given to expert e (top-k of the softmax, taken afresh) and P_e the mean softmax probability of e.
 * As in transformers, f is a count and passes no gradient; P does.
 */
public final class LoadBalancing {
    private LoadBalancing() {}

    /**
     * What each MoE layer adds to its logit gradient: d(coef * aux)/d logits[t] is
     * softmaxWeightedSumBackward with c = f and scale = coef * E / N (N rows over all layers).
     */
    public record Term(float[] loadFractions, float scale) {}

    /** The loss and, for coefficient coef, its gradient term; from the router logits of every MoE layer. */
    public record Result(double loss, Term term) {}

    public static Result of(Backend b, List<Tensor> logits, int experts, int k, double coef) {
        int E = experts;
        double[] count = new double[E], probSum = new double[E];
        long rows = 0;
        float[] p = new float[E];
        for (Tensor l : logits) {
            float[] v = b.download(l);
            for (int t = 0; t < v.length / E; t++) {
                RoutingRule.softmax(v, t * E, E, p);
                for (int e : RoutingRule.topK(p, k)) count[e]++;
                for (int e = 0; e < E; e++) probSum[e] += p[e];
                rows++;
            }
        }
        if (rows == 0) return new Result(Double.NaN, null);
        float[] f = new float[E];
        double loss = 0;
        for (int e = 0; e < E; e++) {
            f[e] = (float) (count[e] / rows);
            loss += (count[e] / rows) * (probSum[e] / rows);
        }
        return new Result(loss * E, new Term(f, (float) (coef * E / rows)));
    }
}
