package io.moescope.model;

import io.moescope.tensor.CpuOps;

/**
 * Multi-head attention with grouped key/value heads (Mixtral, Qwen2/3-MoE, OLMoE), with the
 * optional q/k/v bias, q/k RMSNorm (per head or full width) and q/k/v clipping those configs allow.
 */
public final class GroupedQueryAttention implements Attention {
    private final ModelConfig cfg;
    private final Linear q, k, v, o;
    private final RmsNorm qNorm, kNorm;
    private final Rope rope;
    private final float scale;

    public GroupedQueryAttention(ModelConfig cfg, Linear q, Linear k, Linear v, Linear o, RmsNorm qNorm, RmsNorm kNorm, Rope rope) {
        this.cfg = cfg;
        this.q = q;
        this.k = k;
        this.v = v;
        this.o = o;
        this.qNorm = qNorm;
        this.kNorm = kNorm;
        this.rope = rope;
        this.scale = (float) (1.0 / Math.sqrt(cfg.headDim()));
    }

    @Override
    public float[] forward(float[] x, int T, float[] probs) {
        int H = cfg.numHeads(), Hkv = cfg.numKvHeads(), d = cfg.headDim();
        float[] qs = q.apply(x, T);
        float[] ks = k.apply(x, T);
        float[] vs = v.apply(x, T);
        if (qNorm != null) {
            // Per-head norms have head_dim weights, full-width ones H*head_dim: RmsNorm groups by its weight length.
            qs = qNorm.apply(qs);
            ks = kNorm.apply(ks);
        }
        if (!Double.isNaN(cfg.clipQkv())) {
            float c = (float) cfg.clipQkv();
            CpuOps.clampInPlace(qs, c);
            CpuOps.clampInPlace(ks, c);
            CpuOps.clampInPlace(vs, c);
        }
        rope.apply(qs, T, H, d, 0);
        rope.apply(ks, T, Hkv, d, 0);
        float[] ctx = ScaledDotProductAttention.compute(qs, ks, vs, T, H, Hkv, d, d, scale, cfg.slidingWindow(), probs);
        return o.apply(ctx, T);
    }

    @Override
    public int heads() {
        return cfg.numHeads();
    }
}
