package io.moescope.model;

import io.moescope.backend.AttentionGradients;
import io.moescope.backend.AttentionOutput;
import io.moescope.backend.AttentionPattern;
import io.moescope.backend.AttentionSpec;
import io.moescope.backend.Backend;
import io.moescope.backend.Rotary;
import io.moescope.backend.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * DeepSeek's multi-head latent attention: keys and values are expanded from a low-rank latent
 * (kv_lora_rank) shared by all heads, plus one rotary key part shared by all heads; queries come
 * straight from the hidden state (q_proj) or through their own bottleneck (q_a, norm, q_b).
 * Its column copies (latent | rotary key split, per-head keys and values) run backward as
 * {@code copyColumnsBackward}, which sums the rotary key's gradient over the heads that share it.
 */
public record LatentAttention(ModelConfig cfg, Linear qProj, Linear qA, RmsNorm qANorm, Linear qB,
                              Linear kvA, RmsNorm kvANorm, Linear kvB, Linear o, Rotary rotary, float scale)
        implements Attention {

    /**
     * What backward needs.
     *
     * @param qa           q_a_proj output before its norm (null without q_lora_rank)
     * @param qaNormed     q_a after its norm (null likewise)
     * @param latent       the kv latent [T, kv_lora_rank] before its norm
     * @param latentNormed the latent after kv_a_layernorm
     * @param attended     queries (rope applied to their rotary part), per-head keys [T*H, nope+rope] and
     *                     values [T*H, v_head_dim], as attended
     */
    private record Saved(Tensor x, Tensor qa, Tensor qaNormed, Tensor latent, Tensor latentNormed, DotProductAttention attended) {}

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
    public AttentionOutput forward(Backend b, Tensor x, int T, AttentionPattern pattern, boolean keepProbabilities, Tape tape) {
        int H = cfg.numHeads(), nope = cfg.qkNopeHeadDim(), rd = cfg.qkRopeHeadDim(), dv = cfg.vHeadDim();
        int dqk = nope + rd, lora = cfg.kvLoraRank();
        // queries [T, H*dqk], straight or through their bottleneck
        Tensor q, qa = null, qaNormed = null;
        if (qProj != null) {
            q = qProj.apply(b, x);
        } else {
            qa = qA.apply(b, x);
            qaNormed = qANorm.apply(b, qa);
            q = qB.apply(b, qaNormed);
            Tape.release(tape, qa, qaNormed);
        }
        // the compressed kv [T, lora+rd], split into the latent and the shared rotary key
        Tensor ckv = kvA.apply(b, x);
        Tensor latent = b.zeros(T, lora);
        Tensor kRot = b.zeros(T, rd);
        b.copyColumns(ckv, 0, 1, latent, 0, T, lora);
        b.copyColumns(ckv, lora, 1, kRot, 0, T, rd);
        ckv.close();
        // the latent expanded to every head's k_nope and value [T, H*(nope+dv)]
        Tensor latentNormed = kvANorm.apply(b, latent);
        Tensor kv = kvB.apply(b, latentNormed);
        Tape.release(tape, latent, latentNormed);
        // rotate
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
        // attend, project out
        var attended = DotProductAttention.attend(b, q, keys, values, spec(T), pattern, keepProbabilities, tape);
        Tape.record(tape, this, new Saved(x, qa, qaNormed, latent, latentNormed, attended));
        return attended.project(b, o, keepProbabilities, tape);
    }

    @Override
    public Tensor backward(Backend b, Tape tape, Tensor dOut, WeightGradients g) {
        Saved s = tape.saved(this, Saved.class);
        int T = s.x().rows();
        int H = cfg.numHeads(), nope = cfg.qkNopeHeadDim(), rd = cfg.qkRopeHeadDim(), dv = cfg.vHeadDim();
        int dqk = nope + rd, lora = cfg.kvLoraRank();
        AttentionGradients ag = s.attended().backward(b, o, dOut, g);

        // Keys and values were cut from kv_b's output and the shared rotary key: gather their gradients back.
        Tensor dKvRows = b.zeros(T * H, nope + dv);
        Tensor dKRot = b.zeros(T, rd);
        try (Tensor dKeys = ag.dk(); Tensor dValues = ag.dv()) {
            b.copyColumnsBackward(dKeys, 0, dKvRows, 0, 1, T * H, nope);
            b.copyColumnsBackward(dKeys, nope, dKRot, 0, H, T * H, rd);
            b.copyColumnsBackward(dValues, 0, dKvRows, nope, 1, T * H, dv);
        }
        b.ropeBackward(dKRot, 1, rd, 0, rotary);

        // ... and the latent and the rotary key were cut from kv_a's output.
        Tensor dCkv;
        try (dKvRows; dKRot; Tensor dKv = b.reshape(dKvRows, T, H * (nope + dv));
             Tensor dLatentNormed = kvB.backward(b, dKv, s.latentNormed(), g);
             Tensor dLatent = kvANorm.backward(b, dLatentNormed, s.latent(), g)) {
            dCkv = b.zeros(T, lora + rd);
            b.copyColumnsBackward(dLatent, 0, dCkv, 0, 1, T, lora);
            b.copyColumnsBackward(dKRot, 0, dCkv, lora, 1, T, rd);
        }
        Tensor dx;
        try (dCkv) {
            dx = kvA.backward(b, dCkv, s.x(), g);
        }

        try (Tensor dq = ag.dq()) {
            b.ropeBackward(dq, H, dqk, nope, rotary);
            if (qProj != null) {
                Tape.addAndClose(b, dx, qProj.backward(b, dq, s.x(), g));
            } else {
                try (Tensor dQaNormed = qB.backward(b, dq, s.qaNormed(), g);
                     Tensor dQa = qANorm.backward(b, dQaNormed, s.qa(), g)) {
                    Tape.addAndClose(b, dx, qA.backward(b, dQa, s.x(), g));
                }
            }
        }
        return dx;
    }

    /** Every head has its own keys here. */
    @Override
    public AttentionSpec spec(int T) {
        int H = cfg.numHeads();
        return new AttentionSpec(T, H, H, cfg.qkNopeHeadDim() + cfg.qkRopeHeadDim(), cfg.vHeadDim(), scale, 0);
    }

    @Override
    public Map<String, List<Tensor>> parts() {
        Map<String, List<Tensor>> p = new LinkedHashMap<>();
        if (qProj != null) {
            p.put("q_proj", qProj.tensors());
        } else {
            p.put("q_a", qA.tensors());
            p.put("q_a_norm", List.of(qANorm.weight()));
            p.put("q_b", qB.tensors());
        }
        p.put("kv_a", kvA.tensors());
        p.put("kv_a_norm", List.of(kvANorm.weight()));
        p.put("kv_b", kvB.tensors());
        p.put("o", o.tensors());
        return p;
    }
}
