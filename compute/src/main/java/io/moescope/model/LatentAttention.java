package io.moescope.model;

/**
 * DeepSeek's multi-head latent attention: keys and values are expanded from a low-rank latent
 * (kv_lora_rank) shared by all heads, plus one rotary key part shared by all heads; queries come
 * straight from the hidden state or through their own low-rank bottleneck (q_lora_rank).
 */
public final class LatentAttention implements Attention {
    private final ModelConfig cfg;
    private final Linear qProj;       // used when q_lora_rank is absent
    private final Linear qA, qB;      // used with q_lora_rank
    private final RmsNorm qANorm;
    private final Linear kvA;         // hidden -> kv_lora_rank + rope dim
    private final RmsNorm kvANorm;
    private final Linear kvB;         // kv_lora_rank -> H * (nope + v)
    private final Linear o;
    private final Rope rope;
    private final float scale;

    public LatentAttention(ModelConfig cfg, Linear qProj, Linear qA, RmsNorm qANorm, Linear qB,
                           Linear kvA, RmsNorm kvANorm, Linear kvB, Linear o, Rope rope) {
        this.cfg = cfg;
        this.qProj = qProj;
        this.qA = qA;
        this.qANorm = qANorm;
        this.qB = qB;
        this.kvA = kvA;
        this.kvANorm = kvANorm;
        this.kvB = kvB;
        this.o = o;
        this.rope = rope;
        double s = 1.0 / Math.sqrt(cfg.qkHeadDim());
        RopeConfig rc = cfg.rope();
        // DeepSeek-V3 sharpens attention under YaRN by mscale(factor, mscale_all_dim)^2; transformers' V2 does not.
        if (cfg.architecture() == Architecture.DEEPSEEK_V3 && rc.isYarn() && rc.mscaleAllDim() != 0) {
            double m = Rope.yarnMscale(rc.factor(), rc.mscaleAllDim());
            s *= m * m;
        }
        this.scale = (float) s;
    }

    @Override
    public float[] forward(float[] x, int T, float[] probs) {
        int H = cfg.numHeads(), nope = cfg.qkNopeHeadDim(), rd = cfg.qkRopeHeadDim(), dv = cfg.vHeadDim();
        int dqk = nope + rd, lora = cfg.kvLoraRank();
        float[] q = qProj != null ? qProj.apply(x, T) : qB.apply(qANorm.apply(qA.apply(x, T)), T);   // [T, H, dqk]
        float[] ckv = kvA.apply(x, T);                                                              // [T, lora + rd]
        float[] latent = new float[T * lora];
        float[] kRot = new float[T * rd];
        for (int t = 0; t < T; t++) {
            System.arraycopy(ckv, t * (lora + rd), latent, t * lora, lora);
            System.arraycopy(ckv, t * (lora + rd) + lora, kRot, t * rd, rd);
        }
        float[] kv = kvB.apply(kvANorm.apply(latent), T);                                           // [T, H, nope + dv]
        rope.apply(q, T, H, dqk, nope);
        rope.apply(kRot, T, 1, rd, 0);

        float[] keys = new float[T * H * dqk];
        float[] values = new float[T * H * dv];
        for (int t = 0; t < T; t++) {
            for (int h = 0; h < H; h++) {
                int src = (t * H + h) * (nope + dv);
                System.arraycopy(kv, src, keys, (t * H + h) * dqk, nope);
                System.arraycopy(kRot, t * rd, keys, (t * H + h) * dqk + nope, rd);
                System.arraycopy(kv, src + nope, values, (t * H + h) * dv, dv);
            }
        }
        float[] ctx = ScaledDotProductAttention.compute(q, keys, values, T, H, H, dqk, dv, scale, 0, probs);
        return o.apply(ctx, T);
    }

    @Override
    public int heads() {
        return cfg.numHeads();
    }
}
