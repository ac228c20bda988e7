package io.moescope.model;

import io.moescope.checkpoint.Checkpoint;
import io.moescope.checkpoint.CheckpointException;
import io.moescope.tensor.FloatTensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds a {@link MoeModel} from a checkpoint folder, checking that every tensor the config asks
 * for is there with the right shape. Knows each architecture's tensor names, including experts
 * stored one by one (as checkpoints have them) or fused as transformers 5 holds them in memory.
 */
public final class ModelLoader {
    private final Checkpoint ckpt;
    private final ModelConfig cfg;

    private ModelLoader(Checkpoint ckpt, ModelConfig cfg) {
        this.ckpt = ckpt;
        this.cfg = cfg;
    }

    public static ModelConfig config(Checkpoint ckpt) {
        return ModelConfig.parse(ckpt.configFile(), ckpt.configJson());
    }

    public static MoeModel load(Checkpoint ckpt) {
        return new ModelLoader(ckpt, config(ckpt)).build();
    }

    private MoeModel build() {
        int V = cfg.vocabSize(), D = cfg.hiddenSize();
        FloatTensor embed = ckpt.require("model.embed_tokens.weight", V, D);
        FloatTensor head;
        if (cfg.tieWordEmbeddings()) {
            head = embed;
        } else if (ckpt.has("lm_head.weight")) {
            head = ckpt.require("lm_head.weight", V, D);
        } else {
            throw new CheckpointException(ckpt.dir(), "tensor lm_head.weight missing (and tie_word_embeddings is false)");
        }
        Rope rope = new Rope(cfg.rope(), cfg.ropeDim(), cfg.ropeInterleave());
        List<DecoderLayer> layers = new ArrayList<>();
        for (int i = 0; i < cfg.numLayers(); i++) {
            String p = "model.layers." + i + ".";
            Attention attn = cfg.architecture().usesMla() ? latentAttention(p + "self_attn.", rope) : gqa(p + "self_attn.", rope);
            FeedForward dense = null;
            MoeBlock moe = null;
            if (cfg.isMoeLayer(i)) moe = moe(p + (cfg.architecture() == Architecture.MIXTRAL ? "block_sparse_moe." : "mlp."));
            else dense = mlp(p + "mlp.", cfg.intermediateSize());
            layers.add(new DecoderLayer(i, norm(p + "input_layernorm.weight", D), attn,
                    norm(p + "post_attention_layernorm.weight", D), dense, moe));
        }
        return new MoeModel(cfg, embed, layers, norm("model.norm.weight", D), head);
    }

    private RmsNorm norm(String name, int dim) {
        return new RmsNorm(ckpt.require(name, dim).toArray(), cfg.rmsNormEps());
    }

    private Linear linear(String prefix, int out, int in, boolean bias) {
        FloatTensor w = ckpt.require(prefix + ".weight", out, in);
        float[] b = bias ? ckpt.require(prefix + ".bias", out).toArray() : null;
        return new Linear(w, b);
    }

    private Attention gqa(String p, Rope rope) {
        int D = cfg.hiddenSize(), H = cfg.numHeads(), Hkv = cfg.numKvHeads(), d = cfg.headDim();
        boolean b = cfg.qkvBias();
        RmsNorm qn = null, kn = null;
        switch (cfg.qkNorm()) {
            case PER_HEAD -> {
                qn = norm(p + "q_norm.weight", d);
                kn = norm(p + "k_norm.weight", d);
            }
            case FULL_WIDTH -> {
                qn = norm(p + "q_norm.weight", H * d);
                kn = norm(p + "k_norm.weight", Hkv * d);
            }
            case NONE -> { }
        }
        return new GroupedQueryAttention(cfg, linear(p + "q_proj", H * d, D, b), linear(p + "k_proj", Hkv * d, D, b),
                linear(p + "v_proj", Hkv * d, D, b), linear(p + "o_proj", D, H * d, false), qn, kn, rope);
    }

    private Attention latentAttention(String p, Rope rope) {
        int D = cfg.hiddenSize(), H = cfg.numHeads();
        int dqk = cfg.qkHeadDim(), lora = cfg.kvLoraRank(), rd = cfg.qkRopeHeadDim();
        Linear q = null, qa = null, qb = null;
        RmsNorm qaNorm = null;
        if (cfg.qLoraRank() > 0) {
            qa = linear(p + "q_a_proj", cfg.qLoraRank(), D, false);
            qaNorm = norm(p + "q_a_layernorm.weight", cfg.qLoraRank());
            qb = linear(p + "q_b_proj", H * dqk, cfg.qLoraRank(), false);
        } else {
            q = linear(p + "q_proj", H * dqk, D, false);
        }
        return new LatentAttention(cfg, q, qa, qaNorm, qb,
                linear(p + "kv_a_proj_with_mqa", lora + rd, D, false), norm(p + "kv_a_layernorm.weight", lora),
                linear(p + "kv_b_proj", H * (cfg.qkNopeHeadDim() + cfg.vHeadDim()), lora, false),
                linear(p + "o_proj", D, H * cfg.vHeadDim(), false), rope);
    }

    private FeedForward mlp(String p, int inter) {
        int D = cfg.hiddenSize();
        return new FeedForward(linear(p + "gate_proj", inter, D, false), linear(p + "up_proj", inter, D, false),
                linear(p + "down_proj", D, inter, false));
    }

    private MoeBlock moe(String p) {
        int E = cfg.numExperts(), D = cfg.hiddenSize(), I = cfg.moeIntermediateSize();
        float[] bias = null;
        if (cfg.routerKind() == ModelConfig.RouterKind.SIGMOID_GROUP_LIMITED && ckpt.has(p + "gate.e_score_correction_bias")) {
            bias = ckpt.require(p + "gate.e_score_correction_bias", E).toArray();
        }
        Router router = new Router(cfg, ckpt.require(p + "gate.weight", E, D), bias);
        List<FeedForward> experts = new ArrayList<>();
        boolean fused = !ckpt.has(expertName(p, 0, 0) + ".weight") && ckpt.has(p + "experts.gate_up_proj");
        FloatTensor gateUp = fused ? ckpt.require(p + "experts.gate_up_proj", E, 2L * I, D) : null;
        FloatTensor downAll = fused ? ckpt.require(p + "experts.down_proj", E, D, I) : null;
        for (int e = 0; e < E; e++) {
            if (fused) {
                FloatTensor gu = gateUp.slice(e);
                experts.add(new FeedForward(new Linear(gu.rows(0, I), null), new Linear(gu.rows(I, 2 * I), null),
                        new Linear(downAll.slice(e), null)));
            } else {
                experts.add(new FeedForward(linear(expertName(p, e, 0), I, D, false), linear(expertName(p, e, 1), I, D, false),
                        linear(expertName(p, e, 2), D, I, false)));
            }
        }
        FeedForward shared = null;
        Linear sharedGate = null;
        switch (cfg.sharedExpertKind()) {
            case SIGMOID_GATED -> {
                shared = mlp(p + "shared_expert.", cfg.sharedIntermediateSize());
                sharedGate = linear(p + "shared_expert_gate", 1, D, false);
            }
            case ALWAYS_ON -> shared = mlp(p + "shared_experts.", cfg.sharedIntermediateSize());
            case NONE -> { }
        }
        return new MoeBlock(router, experts, shared, sharedGate);
    }

    /** part 0 = gate (w1), 1 = up (w3), 2 = down (w2), under each architecture's names; without ".weight". */
    private String expertName(String p, int e, int part) {
        String[] names = cfg.architecture() == Architecture.MIXTRAL
                ? new String[]{"w1", "w3", "w2"} : new String[]{"gate_proj", "up_proj", "down_proj"};
        return p + "experts." + e + "." + names[part];
    }
}
