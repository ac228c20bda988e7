package io.moescope.model;

import io.moescope.backend.AttentionOutput;
import io.moescope.backend.AttentionPattern;
import io.moescope.backend.AttentionSpec;
import io.moescope.backend.Backend;
import io.moescope.backend.Rotary;
import io.moescope.backend.Tensor;

/**
 * Multi-head attention with grouped key/value heads (Mixtral, Qwen2/3-MoE, OLMoE), with the
 * optional q/k/v bias, q/k RMSNorm (per head or full width) and q/k/v clipping their configs allow.
 */
public record GroupedQueryAttention(ModelConfig cfg, Linear q, Linear k, Linear v, Linear o,
                                    RmsNorm qNorm, RmsNorm kNorm, Rotary rotary) implements Attention {

    @Override
    public AttentionOutput forward(Backend b, Tensor x, int T, boolean keepProbabilities, AttentionPattern pattern) {
        int H = cfg.numHeads(), Hkv = cfg.numKvHeads(), d = cfg.headDim();
        Tensor qs = q.apply(b, x), ks = k.apply(b, x), vs = v.apply(b, x);
        if (qNorm != null) {
            // Per-head norms have head_dim weights, full-width ones H * head_dim: the norm groups by its weight.
            Tensor rawQ = qs, rawK = ks;
            qs = b.rmsNorm(rawQ, qNorm.weight(), qNorm.eps());
            ks = b.rmsNorm(rawK, kNorm.weight(), kNorm.eps());
            rawQ.close();
            rawK.close();
        }
        if (!Double.isNaN(cfg.clipQkv())) {
            float c = (float) cfg.clipQkv();
            b.clamp(qs, c);
            b.clamp(ks, c);
            b.clamp(vs, c);
        }
        b.rope(qs, H, d, 0, rotary);
        b.rope(ks, Hkv, d, 0, rotary);
        AttentionOutput a = b.attention(qs, ks, vs, pattern == null ? spec(T) : spec(T).withPattern(pattern), keepProbabilities);
        qs.close();
        ks.close();
        vs.close();
        try (Tensor context = a.context()) {
            return new AttentionOutput(o.apply(b, context), a.probabilities());
        }
    }

    /** The attention call's shape for T tokens (shared with the backward pass). */
    public AttentionSpec spec(int T) {
        int d = cfg.headDim();
        return new AttentionSpec(T, cfg.numHeads(), cfg.numKvHeads(), d, d, (float) (1.0 / Math.sqrt(d)), cfg.slidingWindow());
    }

    @Override
    public int heads() {
        return cfg.numHeads();
    }
}
