package io.moescope.grad;

import io.moescope.backend.Tensor;
import io.moescope.model.DecoderLayer;
import io.moescope.model.MoeModel;
import java.util.ArrayList;
import java.util.List;

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
        out.add(new Component(l, "input_norm", List.of(layer.inputNorm().weight())));
        layer.attention().parts().forEach((name, weights) -> out.add(new Component(l, name, weights)));
        out.add(new Component(l, "post_attention_norm", List.of(layer.postAttentionNorm().weight())));
        if (layer.isMoe()) {
            layer.moe().parts().forEach((name, weights) -> out.add(new Component(l, name, weights)));
        } else {
            out.add(new Component(l, "mlp", layer.dense().tensors()));
        }
    }
}
