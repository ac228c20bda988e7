package io.moescope.model;

import io.moescope.tensor.CpuOps;
import java.util.ArrayList;
import java.util.List;

/**
 * A sparse mixture-of-experts feed-forward block: the router picks k experts per token, each
 * expert runs once over the tokens gathered for it, and the weighted outputs are summed, plus
 * an always-on (DeepSeek) or sigmoid-gated (Qwen2-MoE) shared expert when the model has one.
 */
public final class MoeBlock {
    private final Router router;
    private final List<FeedForward> experts;
    private final FeedForward shared;      // or null
    private final Linear sharedGate;       // [1, D] for Qwen2-MoE, or null

    public MoeBlock(Router router, List<FeedForward> experts, FeedForward shared, Linear sharedGate) {
        this.router = router;
        this.experts = List.copyOf(experts);
        this.shared = shared;
        this.sharedGate = sharedGate;
    }

    public Router router() {
        return router;
    }

    public List<FeedForward> experts() {
        return experts;
    }

    public FeedForward shared() {
        return shared;
    }

    public Linear sharedGate() {
        return sharedGate;
    }

    public record Output(float[] hidden, RouterDecision decision) {}

    public Output forward(float[] x, int T, int D) {
        RouterDecision dec = router.route(x, T);
        float[] out = new float[T * D];
        int k = dec.k();
        for (int e = 0; e < experts.size(); e++) {
            List<int[]> hits = new ArrayList<>();   // (token, slot)
            for (int t = 0; t < T; t++) {
                for (int j = 0; j < k; j++) if (dec.topkIndex()[t * k + j] == e) hits.add(new int[]{t, j});
            }
            if (hits.isEmpty()) continue;
            float[] gathered = new float[hits.size() * D];
            for (int r = 0; r < hits.size(); r++) System.arraycopy(x, hits.get(r)[0] * D, gathered, r * D, D);
            float[] y = experts.get(e).apply(gathered, hits.size());
            for (int r = 0; r < hits.size(); r++) {
                int t = hits.get(r)[0];
                float w = dec.topkWeight()[t * k + hits.get(r)[1]];
                for (int d = 0; d < D; d++) out[t * D + d] += w * y[r * D + d];
            }
        }
        if (shared != null) {
            float[] s = shared.apply(x, T);
            if (sharedGate != null) {
                float[] g = sharedGate.apply(x, T);
                for (int t = 0; t < T; t++) {
                    float gate = CpuOps.sigmoid(g[t]);
                    for (int d = 0; d < D; d++) s[t * D + d] *= gate;
                }
            }
            CpuOps.addInPlace(out, s);
        }
        return new Output(out, dec);
    }
}
