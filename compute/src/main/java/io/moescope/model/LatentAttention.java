package io.moescope.model;

import io.moescope.backend.AttentionOutput;
import io.moescope.backend.AttentionPattern;
import io.moescope.backend.AttentionSpec;
import io.moescope.backend.Backend;
import io.moescope.backend.Rotary;
import io.moescope.backend.Tensor;

/**
 * DeepSeek's multi-head latent attention: keys and values are expanded from a low-rank latent
 * (kv_lora_rank) shared by all heads, plus one rotary key part shared by all heads; queries come
 * straight from the hidden state (q_proj) or through their own bottleneck (q_a, norm, q_b).
 */
public record LatentAttention(ModelConfig cfg, Linear qProj, Linear qA, RmsNorm qANorm, Linear qB,
                              Linear kvA, RmsNorm kvANorm, Linear kvB, Linear o, Rotary rotary, float scale)
        implements Attention {

    /** Softmax scale 1/sqrt(qk dim); DeepSeek-V3 sharpens it under YaRN by mscale(factor, mscale_all_dim)^2. */
    static float scale(ModelConfig cfg) {
        double s = 1.0 / Math.sqrt(cfg.qkHeadDim());
        RopeConfig rc = cfg.rope();
        if (cfg.architecture() == Architecture.DEEPSEEK_V3 && rc.isYarn() && rc.mscaleAllDim() != 0) {
            double m = Rope.yarnMscale(rc.factor(), rc.mscaleAllDim());
            s *= m * m;
        }
        return (float) s;
    }

    @Override
    public AttentionOutput forward(Backend b, Tensor x, int T, boolean keepProbabilities, AttentionPattern pattern) {
        int H = cfg.numHeads(), nope = cfg.qkNopeHeadDim(), rd = cfg.qkRopeHeadDim(), dv = cfg.vHeadDim();
        int dqk = nope + rd, lora = cfg.kvLoraRank();
        Tensor q;
        if (qProj != null) {
            q = qProj.apply(b, x);
        } else {
            try (Tensor qa = qA.apply(b, x); Tensor qn = qANorm.apply(b, qa)) {
                q = qB.apply(b, qn);                                                                   // [T, H*dqk]
            }
        }
        Tensor ckv = kvA.apply(b, x);                                                                  // [T, lora+rd]
        Tensor latent = b.zeros(T, lora);
        Tensor kRot = b.zeros(T, rd);
        b.copyColumns(ckv, 0, 1, latent, 0, T, lora);
        b.copyColumns(ckv, lora, 1, kRot, 0, T, rd);
        ckv.close();
        Tensor kv;
        try (Tensor ln = kvANorm.apply(b, latent)) {
            kv = kvB.apply(b, ln);                                                                      // [T, H*(nope+dv)]
        }
        latent.close();
        b.rope(q, H, dqk, nope, rotary);
        b.rope(kRot, 1, rd, 0, rotary);

        // Viewed per head: keys [T*H, dqk] = (k_nope | shared rotary key), values [T*H, dv].
        Tensor kvRows = b.reshape(kv, T * H, nope + dv);
        Tensor keys = b.zeros(T * H, dqk);
        Tensor values = b.zeros(T * H, dv);
        b.copyColumns(kvRows, 0, 1, keys, 0, T * H, nope);
        b.copyColumns(kRot, 0, H, keys, nope, T * H, rd);
        b.copyColumns(kvRows, nope, 1, values, 0, T * H, dv);
        kvRows.close();
        kv.close();
        kRot.close();
        AttentionOutput a = b.attention(q, keys, values, pattern == null ? spec(T) : spec(T).withPattern(pattern), keepProbabilities);
        q.close();
        keys.close();
        values.close();
        try (Tensor context = a.context()) {
            return new AttentionOutput(o.apply(b, context), a.probabilities());
        }
    }

    /** The attention call's shape for T tokens (shared with the backward pass): every head has its own keys here. */
    public AttentionSpec spec(int T) {
        int H = cfg.numHeads();
        return new AttentionSpec(T, H, H, cfg.qkNopeHeadDim() + cfg.qkRopeHeadDim(), cfg.vHeadDim(), scale, 0);
    }

    @Override
    public int heads() {
        return cfg.numHeads();
    }
}
