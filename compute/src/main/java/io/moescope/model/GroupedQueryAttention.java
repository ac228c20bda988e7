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
 * Multi-head attention with grouped key/value heads (Mixtral, Qwen2/3-MoE, OLMoE), with the
 * optional q/k/v bias, q/k RMSNorm (per head or full width) and q/k/v clipping their configs allow.
 */
public record GroupedQueryAttention(ModelConfig cfg, Linear q, Linear k, Linear v, Linear o,
                                    RmsNorm qNorm, RmsNorm kNorm, Rotary rotary) implements Attention {

    /**
     * What backward needs.
     *
     * @param qProj    q projection before its norm (null when the model has no q/k norm)
     * @param kProj    k projection before its norm (null likewise)
     * @param qClamped q after norm and clamp, before rope (null unless clip_qkv is set)
     * @param kClamped k likewise
     * @param attended q, k and v as attended: after norm, clamp and rope
     */
    private record Saved(Tensor x, Tensor qProj, Tensor kProj, Tensor qClamped, Tensor kClamped, DotProductAttention attended) {}

    @Override
    public AttentionOutput forward(Backend b, Tensor x, int T, AttentionPattern pattern, boolean keepProbabilities, Tape tape) {
        int H = cfg.numHeads(), Hkv = cfg.numKvHeads(), d = cfg.headDim();
        // project
        Tensor qs = q.apply(b, x), ks = k.apply(b, x), vs = v.apply(b, x);
        // normalise q and k: per-head norms have head_dim weights, full-width ones H * head_dim; the norm groups by its weight
        Tensor qProj = null, kProj = null;
        if (qNorm != null) {
            qProj = qs;
            kProj = ks;
            qs = qNorm.apply(b, qProj);
            ks = kNorm.apply(b, kProj);
            Tape.release(tape, qProj, kProj);
        }
        // clip
        Tensor qClamped = null, kClamped = null;
        if (!Double.isNaN(cfg.clipQkv())) {
            float c = (float) cfg.clipQkv();
            b.clamp(qs, c);
            b.clamp(ks, c);
            b.clamp(vs, c);
            if (tape != null) {   // rope rotates q and k in place below; backward needs where the clamp bit
                qClamped = Tape.snapshot(b, qs);
                kClamped = Tape.snapshot(b, ks);
            }
        }
        // rotate
        b.rope(qs, H, d, 0, rotary);
        b.rope(ks, Hkv, d, 0, rotary);
        // attend, project out
        var attended = DotProductAttention.attend(b, qs, ks, vs, spec(T), pattern, keepProbabilities, tape);
        Tape.record(tape, this, new Saved(x, qProj, kProj, qClamped, kClamped, attended));
        return attended.project(b, o, keepProbabilities, tape);
    }

    @Override
    public Tensor backward(Backend b, Tape tape, Tensor dOut, WeightGradients g) {
        int H = cfg.numHeads(), Hkv = cfg.numKvHeads(), d = cfg.headDim();
        Saved s = tape.saved(this, Saved.class);
        AttentionGradients ag = s.attended().backward(b, o, dOut, g);
        Tensor dq = ag.dq(), dk = ag.dk(), dv = ag.dv();
        b.ropeBackward(dq, H, d, 0, rotary);
        b.ropeBackward(dk, Hkv, d, 0, rotary);
        if (!Double.isNaN(cfg.clipQkv())) {
            float c = (float) cfg.clipQkv();
            b.clampBackward(dq, s.qClamped(), c);
            b.clampBackward(dk, s.kClamped(), c);
            b.clampBackward(dv, s.attended().v(), c);
        }
        if (qNorm != null) {
            try (Tensor dqRoped = dq; Tensor dkRoped = dk) {
                dq = qNorm.backward(b, dqRoped, s.qProj(), g);
                dk = kNorm.backward(b, dkRoped, s.kProj(), g);
            }
        }
        Tensor dx = q.backward(b, dq, s.x(), g);
        Tape.addAndClose(b, dx, k.backward(b, dk, s.x(), g));
        Tape.addAndClose(b, dx, v.backward(b, dv, s.x(), g));
        dq.close();
        dk.close();
        dv.close();
        return dx;
    }

    @Override
    public AttentionSpec spec(int T) {
        int d = cfg.headDim();
        double scale = cfg.multipliers().attention();   // Granite's attention_multiplier replaces 1/sqrt(head_dim)
        if (Double.isNaN(scale)) scale = 1.0 / Math.sqrt(d);
        return new AttentionSpec(T, cfg.numHeads(), cfg.numKvHeads(), d, d, (float) scale, cfg.slidingWindow());
    }

    @Override
    public Map<String, List<Tensor>> parts() {
        Map<String, List<Tensor>> p = new LinkedHashMap<>();
        p.put("q", q.tensors());
        p.put("k", k.tensors());
        p.put("v", v.tensors());
        p.put("o", o.tensors());
        if (qNorm != null) {
            p.put("q_norm", List.of(qNorm.weight()));
            p.put("k_norm", List.of(kNorm.weight()));
        }
        return p;
    }
}
