package io.moescope.randomcheckpoint;

import io.moescope.model.Architecture;
import io.moescope.model.ModelConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * The tensors a Hugging Face checkpoint of a config holds, by name and shape, in the order
 * transformers' state dict lists them: what {@link io.moescope.model.ModelLoader} asks for, with
 * experts stored one by one as published checkpoints store them (Granite's fused, as its are).
 */
public final class CheckpointLayout {
    private CheckpointLayout() {}

    /** One tensor of the checkpoint. */
    public record Entry(String name, long... shape) {
        public long elements() {
            long n = 1;
            for (long d : shape) n = Math.multiplyExact(n, d);
            return n;
        }

        /** A linear layer's weight: what FP8 checkpoints quantise (not embeddings, the head or routers). */
        boolean isProjection() {
            return shape.length == 2 && !name.startsWith("model.embed_tokens.") && !name.startsWith("lm_head.")
                    && !name.endsWith("gate.weight") && !name.endsWith("router.layer.weight");
        }
    }

    public static List<Entry> of(ModelConfig c) {
        List<Entry> out = new ArrayList<>();
        int V = c.vocabSize(), D = c.hiddenSize();
        out.add(new Entry("model.embed_tokens.weight", V, D));
        for (int i = 0; i < c.numLayers(); i++) {
            String p = "model.layers." + i + ".";
            if (c.architecture().usesMla()) latentAttention(out, c, p + "self_attn.");
            else groupedQueryAttention(out, c, p + "self_attn.");
            if (c.architecture().isGranite()) granite(out, c, p);
            else if (c.isMoeLayer(i)) moe(out, c, p + (c.architecture() == Architecture.MIXTRAL ? "block_sparse_moe." : "mlp."));
            else mlp(out, p + "mlp.", c.intermediateSize(), D);
            out.add(new Entry(p + "input_layernorm.weight", D));
            out.add(new Entry(p + "post_attention_layernorm.weight", D));
        }
        out.add(new Entry("model.norm.weight", D));
        if (!c.tieWordEmbeddings()) out.add(new Entry("lm_head.weight", V, D));
        return out;
    }

    private static void groupedQueryAttention(List<Entry> out, ModelConfig c, String p) {
        int D = c.hiddenSize(), q = c.numHeads() * c.headDim(), kv = c.numKvHeads() * c.headDim();
        linear(out, p + "q_proj", q, D, c.qkvBias());
        linear(out, p + "k_proj", kv, D, c.qkvBias());
        linear(out, p + "v_proj", kv, D, c.qkvBias());
        linear(out, p + "o_proj", D, q, false);
        switch (c.qkNorm()) {
            case PER_HEAD -> {
                out.add(new Entry(p + "q_norm.weight", c.headDim()));
                out.add(new Entry(p + "k_norm.weight", c.headDim()));
            }
            case FULL_WIDTH -> {
                out.add(new Entry(p + "q_norm.weight", q));
                out.add(new Entry(p + "k_norm.weight", kv));
            }
            case NONE -> { }
        }
    }

    private static void latentAttention(List<Entry> out, ModelConfig c, String p) {
        int D = c.hiddenSize(), H = c.numHeads();
        if (c.qLoraRank() > 0) {
            linear(out, p + "q_a_proj", c.qLoraRank(), D, false);
            out.add(new Entry(p + "q_a_layernorm.weight", c.qLoraRank()));
            linear(out, p + "q_b_proj", H * c.qkHeadDim(), c.qLoraRank(), false);
        } else {
            linear(out, p + "q_proj", H * c.qkHeadDim(), D, false);
        }
        linear(out, p + "kv_a_proj_with_mqa", c.kvLoraRank() + c.qkRopeHeadDim(), D, false);
        out.add(new Entry(p + "kv_a_layernorm.weight", c.kvLoraRank()));
        linear(out, p + "kv_b_proj", H * (c.qkNopeHeadDim() + c.vHeadDim()), c.kvLoraRank(), false);
        linear(out, p + "o_proj", D, H * c.vHeadDim(), false);
    }

    private static void moe(List<Entry> out, ModelConfig c, String p) {
        int E = c.numExperts(), D = c.hiddenSize(), I = c.moeIntermediateSize();
        out.add(new Entry(p + "gate.weight", E, D));
        if (c.routerKind() == ModelConfig.RouterKind.SIGMOID_GROUP_LIMITED) out.add(new Entry(p + "gate.e_score_correction_bias", E));
        boolean mixtral = c.architecture() == Architecture.MIXTRAL;
        for (int e = 0; e < E; e++) {
            String x = p + "experts." + e + ".";
            linear(out, x + (mixtral ? "w1" : "gate_proj"), I, D, false);
            linear(out, x + (mixtral ? "w2" : "down_proj"), D, I, false);
            linear(out, x + (mixtral ? "w3" : "up_proj"), I, D, false);
        }
        switch (c.sharedExpertKind()) {
            case SIGMOID_GATED -> {
                mlp(out, p + "shared_expert.", c.sharedIntermediateSize(), D);
                linear(out, p + "shared_expert_gate", 1, D, false);
            }
            case ALWAYS_ON -> mlp(out, p + "shared_experts.", c.sharedIntermediateSize(), D);
            case NONE -> { }
        }
    }

    /** Granite's block: the router, the experts fused (gate and up in input_linear), the shared MLP likewise. */
    private static void granite(List<Entry> out, ModelConfig c, String layer) {
        int E = c.numExperts(), D = c.hiddenSize(), I = c.moeIntermediateSize(), S = c.sharedIntermediateSize();
        String p = layer + "block_sparse_moe.";
        out.add(new Entry(p + "input_linear.weight", E, 2L * I, D));
        out.add(new Entry(p + "output_linear.weight", E, D, I));
        out.add(new Entry(p + "router.layer.weight", E, D));
        if (c.sharedExpertKind() == ModelConfig.SharedExpertKind.ALWAYS_ON) {
            linear(out, layer + "shared_mlp.input_linear", 2 * S, D, false);
            linear(out, layer + "shared_mlp.output_linear", D, S, false);
        }
    }

    private static void mlp(List<Entry> out, String p, int inter, int D) {
        linear(out, p + "gate_proj", inter, D, false);
        linear(out, p + "up_proj", inter, D, false);
        linear(out, p + "down_proj", D, inter, false);
    }

    private static void linear(List<Entry> out, String prefix, int rows, int cols, boolean bias) {
        out.add(new Entry(prefix + ".weight", rows, cols));
        if (bias) out.add(new Entry(prefix + ".bias", rows));
    }
}
