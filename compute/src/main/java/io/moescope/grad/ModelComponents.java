package io.moescope.grad;

import io.moescope.backend.ExpertWeights;
import io.moescope.backend.Tensor;
import io.moescope.model.DecoderLayer;
import io.moescope.model.FeedForward;
import io.moescope.model.GroupedQueryAttention;
import io.moescope.model.LatentAttention;
import io.moescope.model.Linear;
import io.moescope.model.MoeBlock;
import io.moescope.model.MoeModel;
import io.moescope.model.RmsNorm;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The parts of a model whose gradients are looked at one by one (projections, norms, router, each
 * expert...), with their weights. Every trainable parameter belongs to exactly one component.
 */
final class ModelComponents {
    private ModelComponents() {}

    /** @param layer the decoder layer, or -1 for model-wide parts (embeddings, final norm, output head) */
    record Component(int layer, String name, List<Tensor> weights) {}

    static List<Component> of(MoeModel m) {
        List<Component> out = new ArrayList<>();
        out.add(new Component(-1, "embeddings", List.of(m.embeddings())));
        for (DecoderLayer layer : m.layers()) layer(out, layer);
        out.add(new Component(-1, "final_norm", List.of(m.finalNorm().weight())));
        if (m.lmHead() != m.embeddings()) out.add(new Component(-1, "output_head", List.of(m.lmHead())));
        return out;
    }

    private static void layer(List<Component> out, DecoderLayer layer) {
        int l = layer.index();
        out.add(norm(l, "input_norm", layer.inputNorm()));
        switch (layer.attention()) {
            case GroupedQueryAttention a -> {
                out.add(linear(l, "q", a.q()));
                out.add(linear(l, "k", a.k()));
                out.add(linear(l, "v", a.v()));
                out.add(linear(l, "o", a.o()));
                if (a.qNorm() != null) {
                    out.add(norm(l, "q_norm", a.qNorm()));
                    out.add(norm(l, "k_norm", a.kNorm()));
                }
            }
            case LatentAttention a -> {
                if (a.qProj() != null) {
                    out.add(linear(l, "q_proj", a.qProj()));
                } else {
                    out.add(linear(l, "q_a", a.qA()));
                    out.add(norm(l, "q_a_norm", a.qANorm()));
                    out.add(linear(l, "q_b", a.qB()));
                }
                out.add(linear(l, "kv_a", a.kvA()));
                out.add(norm(l, "kv_a_norm", a.kvANorm()));
                out.add(linear(l, "kv_b", a.kvB()));
                out.add(linear(l, "o", a.o()));
            }
            default -> throw new UnsupportedOperationException("unknown attention " + layer.attention().getClass().getSimpleName());
        }
        out.add(norm(l, "post_attention_norm", layer.postAttentionNorm()));
        if (layer.isMoe()) {
            MoeBlock moe = layer.moe();
            out.add(new Component(l, "router", List.of(moe.router().weight())));
            ExpertWeights e = moe.experts();
            for (int i = 0; i < e.count(); i++) {
                out.add(new Component(l, "expert." + i, List.of(e.gate().get(i), e.up().get(i), e.down().get(i))));
            }
            if (moe.shared() != null) out.add(mlp(l, "shared_experts", moe.shared()));
            if (moe.sharedGate() != null) out.add(linear(l, "shared_expert_gate", moe.sharedGate()));
        } else {
            out.add(mlp(l, "mlp", layer.dense()));
        }
    }

    private static Component linear(int l, String name, Linear x) {
        return new Component(l, name, Arrays.stream(new Tensor[]{x.weight(), x.bias()}).filter(Objects::nonNull).toList());
    }

    private static Component norm(int l, String name, RmsNorm n) {
        return new Component(l, name, List.of(n.weight()));
    }

    private static Component mlp(int l, String name, FeedForward f) {
        return new Component(l, name, List.of(f.gate().weight(), f.up().weight(), f.down().weight()));
    }
}
