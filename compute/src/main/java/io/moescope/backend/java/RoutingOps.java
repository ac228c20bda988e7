package io.moescope.backend.java;

import static io.moescope.backend.java.JavaTensor.t;

import io.moescope.backend.RouterSpec;
import io.moescope.backend.Routing;
import io.moescope.backend.RoutingRule;
import io.moescope.backend.Tensor;
import java.util.Arrays;

/** The router's choice of experts and the gradient of its weights. */
final class RoutingOps {
    Routing route(Tensor logits, RouterSpec spec, Tensor correctionBias) {
        float[] l = t(logits).data;
        float[] bias = correctionBias == null ? null : t(correctionBias).floats();
        int E = spec.experts(), k = spec.k(), T = l.length / E;
        int[] idx = new int[T * k];
        float[] w = new float[T * k];
        for (int tok = 0; tok < T; tok++) RoutingRule.select(spec, l, tok * E, bias, idx, w, tok * k);
        return new Routing(spec, JavaTensor.ofInts(idx, T, k), JavaTensor.of(w, T, k));
    }

    Tensor routeBackward(Tensor dWeight, Tensor logits, Routing routing) {
        // The correction bias only steers the choice, which passes no gradient: it is not needed here.
        RouterSpec spec = routing.spec();
        float[] l = t(logits).data, dw = t(dWeight).data;
        int[] idx = t(routing.index()).ints;
        int E = spec.experts(), k = spec.k(), T = l.length / E;
        boolean sigmoid = spec.rule() == RouterSpec.Rule.SIGMOID_GROUP_TOP2;
        float[] out = new float[T * E];
        float[] scores = new float[E];
        double[] dScore = new double[E];
        for (int tok = 0; tok < T; tok++) {
            int lo = tok * E, ko = tok * k;
            if (sigmoid) {
                for (int e = 0; e < E; e++) scores[e] = 1f / (1f + (float) Math.exp(-l[lo + e]));
            } else {
                RoutingRule.softmax(l, lo, E, scores);
            }
            // weight_j = scaling * score(c_j) [/ sum_m score(c_m)]: gradient on the chosen scores.
            Arrays.fill(dScore, 0);
            if (spec.renormalize()) {
                double sum = 0, dot = 0;
                for (int j = 0; j < k; j++) {
                    sum += scores[idx[ko + j]];
                    dot += (double) dw[ko + j] * scores[idx[ko + j]];
                }
                if (sigmoid) sum += 1e-20;
                for (int j = 0; j < k; j++) dScore[idx[ko + j]] += spec.scaling() * (dw[ko + j] / sum - dot / (sum * sum));
            } else {
                for (int j = 0; j < k; j++) dScore[idx[ko + j]] += spec.scaling() * dw[ko + j];
            }
            // ... then through the scores: sigmoid elementwise, softmax over the whole row.
            if (sigmoid) {
                for (int e = 0; e < E; e++) out[lo + e] = (float) (dScore[e] * scores[e] * (1.0 - scores[e]));
            } else {
                double dot = 0;
                for (int e = 0; e < E; e++) dot += dScore[e] * scores[e];
                for (int e = 0; e < E; e++) out[lo + e] = (float) (scores[e] * (dScore[e] - dot));
            }
        }
        return JavaTensor.of(out, T, E);
    }
}
