package io.moescope.model;

import io.moescope.backend.Backend;
import io.moescope.backend.ExpertWeights;
import io.moescope.backend.Rotary;
import io.moescope.backend.Tensor;
import io.moescope.checkpoint.Checkpoint;
import io.moescope.files.CheckpointException;
import io.moescope.checkpoint.WeightSource;
import io.moescope.tensor.FloatTensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds a {@link MoeModel} from a checkpoint folder (or any {@link WeightSource}, such as fresh
 * random weights), checking that every tensor the config asks for is there with the right shape.
 * The one place that knows each architecture's tensor names, including experts stored one by one
 * (as checkpoints have them) or fused as transformers 5 holds them in memory.
 */
public final class ModelLoader {
    private final WeightSource ckpt;
    private final ModelConfig cfg;
    private final Backend backend;
    /** Copy weights into writable backend memory (to train them) rather than use a mapped checkpoint in place. */
    private final boolean trainable;
    /** Every trainable weight uploaded, by checkpoint name, in load order (what gradients are named by). */
    private final Map<String, Tensor> parameters = new LinkedHashMap<>();

    private ModelLoader(WeightSource ckpt, ModelConfig cfg, Backend backend, boolean trainable) {
        this.ckpt = ckpt;
        this.cfg = cfg;
        this.backend = backend;
        this.trainable = trainable;
    }

    public static ModelConfig config(Checkpoint ckpt) {
        return ModelConfig.parse(ckpt.configFile(), ckpt.configJson());
    }

    /** Loads the model with its weights resident on the given backend. */
    public static MoeModel load(Checkpoint ckpt, Backend backend) {
        return new ModelLoader(ckpt, config(ckpt), backend, false).build();
    }

    /**
     * @param trainable copy every weight into writable backend memory, so that an optimizer can update
     *                  it; the source (a checkpoint's mapping) may be closed once this returns
     */
    public static MoeModel load(WeightSource source, ModelConfig cfg, Backend backend, boolean trainable) {
        return new ModelLoader(source, cfg, backend, trainable).build();
    }

    private Tensor weight(String name, long... shape) {
        Tensor t = buffer(name, shape);
        parameters.put(name, t);
        return t;
    }

    /** A tensor that is loaded but not trained (DeepSeek-V3's correction bias is a buffer). */
    private Tensor buffer(String name, long... shape) {
        // In place, as stored: the backend widens what it reads, when it reads it.
        if (!trainable) return backend.upload(ckpt.stored(name, shape));
        return upload(ckpt.require(name, shape));
    }

    private Tensor upload(FloatTensor t) {
        if (!trainable) return backend.upload(t);
        int[] shape = new int[t.rank()];
        for (int i = 0; i < shape.length; i++) shape[i] = t.dim(i);
        return backend.upload(t.toArray(), shape);
    }

    private MoeModel build() {
        int V = cfg.vocabSize(), D = cfg.hiddenSize();
        Tensor embed = weight("model.embed_tokens.weight", V, D);
        Tensor head;
        if (cfg.tieWordEmbeddings()) {
            head = embed;
        } else if (ckpt.has("lm_head.weight")) {
            head = weight("lm_head.weight", V, D);
        } else {
            throw new CheckpointException(ckpt.origin(), "tensor lm_head.weight missing (and tie_word_embeddings is false)");
        }
        Rotary rope = Rope.rotary(cfg.rope(), cfg.ropeDim(), cfg.ropeInterleave());
        List<DecoderLayer> layers = new ArrayList<>();
        for (int i = 0; i < cfg.numLayers(); i++) {
            String p = "model.layers." + i + ".";
            Attention attn = cfg.architecture().usesMla() ? latentAttention(p + "self_attn.", rope) : gqa(p + "self_attn.", rope);
            FeedForward dense = null;
            MoeBlock moe = null;
            if (cfg.isMoeLayer(i)) moe = moe(p, moePrefix(p));
            else dense = mlp(p + "mlp.", cfg.intermediateSize());
            layers.add(new DecoderLayer(i, norm(p + "input_layernorm.weight", D), attn,
                    norm(p + "post_attention_layernorm.weight", D), dense, moe));
        }
        RmsNorm finalNorm = norm("model.norm.weight", D);
        return new MoeModel(cfg, backend, embed, layers, finalNorm, head, parameters);
    }

    private RmsNorm norm(String name, int dim) {
        return new RmsNorm(weight(name, dim), (float) cfg.rmsNormEps());
    }

    private Linear linear(String prefix, int out, int in, boolean bias) {
        return new Linear(weight(prefix + ".weight", out, in), bias ? weight(prefix + ".bias", out) : null);
    }

    private Attention gqa(String p, Rotary rope) {
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

    private Attention latentAttention(String p, Rotary rope) {
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
                linear(p + "o_proj", D, H * cfg.vHeadDim(), false), rope, LatentAttention.scale(cfg));
    }

    private FeedForward mlp(String p, int inter) {
        int D = cfg.hiddenSize();
        return new FeedForward(linear(p + "gate_proj", inter, D, false), linear(p + "up_proj", inter, D, false),
                linear(p + "down_proj", D, inter, false));
    }

    /** Where a layer's MoE block lives: Mixtral's and Granite's block_sparse_moe, the others' mlp. */
    private String moePrefix(String layer) {
        Architecture a = cfg.architecture();
        return layer + (a == Architecture.MIXTRAL || a.isGranite() ? "block_sparse_moe." : "mlp.");
    }

    /**
     * @param layer "model.layers.N."
     * @param p     the block's prefix
     */
    private MoeBlock moe(String layer, String p) {
        int E = cfg.numExperts(), D = cfg.hiddenSize(), I = cfg.moeIntermediateSize();
        boolean granite = cfg.architecture().isGranite();
        Tensor bias = null;
        if (cfg.routerKind() == ModelConfig.RouterKind.SIGMOID_GROUP_LIMITED && ckpt.has(p + "gate.e_score_correction_bias")) {
            bias = buffer(p + "gate.e_score_correction_bias", E);
        }
        Router router = new Router(weight(p + (granite ? "router.layer.weight" : "gate.weight"), E, D), bias, Router.spec(cfg));
        List<Tensor> gates = new ArrayList<>(), ups = new ArrayList<>(), downs = new ArrayList<>();
        // Granite stores its experts fused under its own names; transformers 5 saves others fused under its in-memory ones.
        String gateUpName = granite ? p + "input_linear.weight" : p + "experts.gate_up_proj";
        String downName = granite ? p + "output_linear.weight" : p + "experts.down_proj";
        boolean fused = granite || !ckpt.has(expertName(p, 0, 0) + ".weight") && ckpt.has(gateUpName);
        FloatTensor gateUp = fused ? ckpt.require(gateUpName, E, 2L * I, D) : null;
        FloatTensor downAll = fused ? ckpt.require(downName, E, D, I) : null;
        for (int e = 0; e < E; e++) {
            if (fused) {
                FloatTensor gu = gateUp.slice(e);
                gates.add(upload(gu.rows(0, I)));
                ups.add(upload(gu.rows(I, 2 * I)));
                downs.add(upload(downAll.slice(e)));
                // Named per expert, as unfused checkpoints name them; gradient export re-fuses them.
                parameters.put(expertName(p, e, 0) + ".weight", gates.getLast());
                parameters.put(expertName(p, e, 1) + ".weight", ups.getLast());
                parameters.put(expertName(p, e, 2) + ".weight", downs.getLast());
            } else {
                gates.add(weight(expertName(p, e, 0) + ".weight", I, D));
                ups.add(weight(expertName(p, e, 1) + ".weight", I, D));
                downs.add(weight(expertName(p, e, 2) + ".weight", D, I));
            }
        }
        FeedForward shared = null;
        Linear sharedGate = null;
        switch (cfg.sharedExpertKind()) {
            case SIGMOID_GATED -> {
                shared = mlp(p + "shared_expert.", cfg.sharedIntermediateSize());
                sharedGate = linear(p + "shared_expert_gate", 1, D, false);
            }
            case ALWAYS_ON -> shared = granite ? graniteSharedMlp(layer + "shared_mlp.") : mlp(p + "shared_experts.", cfg.sharedIntermediateSize());
            case NONE -> { }
        }
        return new MoeBlock(router, new ExpertWeights(gates, ups, downs), shared, sharedGate);
    }

    /**
     * Granite's shared MLP: input_linear [2S, D] holds gate then up, split here into the two
     * projections and named as the other shared experts name them; gradient export joins them again.
     */
    private FeedForward graniteSharedMlp(String p) {
        int D = cfg.hiddenSize(), S = cfg.sharedIntermediateSize();
        FloatTensor in = ckpt.require(p + "input_linear.weight", 2L * S, D);
        Tensor gate = upload(in.rows(0, S)), up = upload(in.rows(S, 2 * S));
        parameters.put(p + "gate_proj.weight", gate);
        parameters.put(p + "up_proj.weight", up);
        return new FeedForward(new Linear(gate, null), new Linear(up, null), linear(p + "output_linear", D, S, false));
    }

    /** part 0 = gate (w1), 1 = up (w3), 2 = down (w2), under each architecture's names; without ".weight". */
    private String expertName(String p, int e, int part) {
        String[] names = cfg.architecture() == Architecture.MIXTRAL
                ? new String[]{"w1", "w3", "w2"} : new String[]{"gate_proj", "up_proj", "down_proj"};
        return p + "experts." + e + "." + names[part];
    }
}
