package io.moescope.model;

import io.moescope.backend.Backend;
import io.moescope.backend.ExpertWeights;
import io.moescope.backend.Rotary;
import io.moescope.backend.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A model of a given config with seeded random weights, built in memory with no checkpoint: for
 * benchmarks, where the weights do not matter for speed. Same structure and parameter names as
 * {@link ModelLoader} builds (experts always one by one), initialised as transformers'
 * {@code _init_weights} does: linear and embedding weights from N(0, std), biases 0, norms 1.
 */
public final class RandomModel {
    /** transformers' default initializer_range. */
    public static final double DEFAULT_STD = 0.02;

    private final ModelConfig cfg;
    private final Backend backend;
    private final long seed;
    private final double std;
    private final Map<String, Tensor> parameters = new LinkedHashMap<>();

    private RandomModel(ModelConfig cfg, Backend backend, long seed, double std) {
        this.cfg = cfg;
        this.backend = backend;
        this.seed = seed;
        this.std = std;
    }

    /** As {@link #create(ModelConfig, Backend, long, double)} with std 0.02. */
    public static MoeModel create(ModelConfig cfg, Backend backend, long seed) {
        return create(cfg, backend, seed, DEFAULT_STD);
    }

    /**
     * @param std standard deviation of the normal init (a config's initializer_range)
     */
    public static MoeModel create(ModelConfig cfg, Backend backend, long seed, double std) {
        if (!(std >= 0) || Double.isInfinite(std)) throw new IllegalArgumentException("initializer std must be a finite value >= 0, got " + std);
        return new RandomModel(cfg, backend, seed, std).build();
    }

    // ---- weights -----------------------------------------------------------------------------

    /**
     * N(0, std) values. Each tensor draws from its own stream seeded by the seed and its name, so
     * a tensor's values do not depend on which tensors came before it (or on the architecture's
     * build order).
     */
    private Tensor normal(String name, int... shape) {
        SplittableRandom rnd = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + name.hashCode());
        float[] v = new float[size(shape)];
        for (int i = 0; i < v.length; i++) v[i] = (float) (rnd.nextGaussian() * std);
        Tensor t = backend.upload(v, shape);
        parameters.put(name, t);
        return t;
    }

    private Tensor filled(String name, float value, int... shape) {
        float[] v = new float[size(shape)];
        Arrays.fill(v, value);
        Tensor t = backend.upload(v, shape);
        parameters.put(name, t);
        return t;
    }

    private static int size(int... shape) {
        long n = 1;
        for (int d : shape) n *= d;
        return Math.toIntExact(n);
    }

    // ---- structure: mirrors ModelLoader --------------------------------------------------------

    private MoeModel build() {
        int V = cfg.vocabSize(), D = cfg.hiddenSize();
        Tensor embed = normal("model.embed_tokens.weight", V, D);
        Tensor head = cfg.tieWordEmbeddings() ? embed : normal("lm_head.weight", V, D);
        Rotary rope = Rope.rotary(cfg.rope(), cfg.ropeDim(), cfg.ropeInterleave());
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
        RmsNorm finalNorm = norm("model.norm.weight", D);
        return new MoeModel(cfg, backend, embed, layers, finalNorm, head, parameters);
    }

    private RmsNorm norm(String name, int dim) {
        return new RmsNorm(filled(name, 1f, dim), (float) cfg.rmsNormEps());
    }

    private Linear linear(String prefix, int out, int in, boolean bias) {
        return new Linear(normal(prefix + ".weight", out, in), bias ? filled(prefix + ".bias", 0f, out) : null);
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

    private MoeBlock moe(String p) {
        int E = cfg.numExperts(), D = cfg.hiddenSize(), I = cfg.moeIntermediateSize();
        Tensor bias = null;
        if (cfg.routerKind() == ModelConfig.RouterKind.SIGMOID_GROUP_LIMITED) {
            // A buffer, not a parameter (as in ModelLoader); transformers starts it at zero.
            bias = backend.upload(new float[E], E);
        }
        Router router = new Router(normal(p + "gate.weight", E, D), bias, Router.spec(cfg));
        List<Tensor> gates = new ArrayList<>(), ups = new ArrayList<>(), downs = new ArrayList<>();
        for (int e = 0; e < E; e++) {
            gates.add(normal(expertName(p, e, 0) + ".weight", I, D));
            ups.add(normal(expertName(p, e, 1) + ".weight", I, D));
            downs.add(normal(expertName(p, e, 2) + ".weight", D, I));
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
        return new MoeBlock(router, new ExpertWeights(gates, ups, downs), shared, sharedGate);
    }

    /** part 0 = gate (w1), 1 = up (w3), 2 = down (w2), under each architecture's names; without ".weight". */
    private String expertName(String p, int e, int part) {
        String[] names = cfg.architecture() == Architecture.MIXTRAL
                ? new String[]{"w1", "w3", "w2"} : new String[]{"gate_proj", "up_proj", "down_proj"};
        return p + "experts." + e + "." + names[part];
    }
}
