package io.moescope.model;

import com.fasterxml.jackson.databind.JsonNode;
import io.moescope.checkpoint.CheckpointException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Everything the forward pass needs from config.json, normalised across the six architectures.
 * Defaults are those of the transformers config class of each architecture, so that a config that
 * leaves a field out means what it means to transformers.
 */
public record ModelConfig(
        Architecture architecture,
        int vocabSize,
        int hiddenSize,
        int numLayers,
        int numHeads,
        int numKvHeads,
        int headDim,
        int intermediateSize,
        double rmsNormEps,
        RopeConfig rope,
        boolean tieWordEmbeddings,
        // attention variants
        boolean qkvBias,
        QkNorm qkNorm,
        double clipQkv,
        int slidingWindow,
        // multi-head latent attention (DeepSeek); zero when unused
        int qLoraRank,
        int kvLoraRank,
        int qkNopeHeadDim,
        int qkRopeHeadDim,
        int vHeadDim,
        boolean ropeInterleave,
        // experts
        int numExperts,
        int topK,
        int moeIntermediateSize,
        boolean normTopkProb,
        RouterKind routerKind,
        int nGroup,
        int topkGroup,
        double routedScalingFactor,
        SharedExpertKind sharedExpertKind,
        int sharedIntermediateSize,
        double routerAuxLossCoef,
        boolean[] moeLayers,
        // training: the padding token's embedding row, which transformers' nn.Embedding(padding_idx) never updates; -1 if none
        int padTokenId) {

    /** Where q/k RMSNorm sits: none, per head over head_dim (Qwen3), or over the full projection (OLMoE). */
    public enum QkNorm { NONE, PER_HEAD, FULL_WIDTH }

    public enum RouterKind {
        /** softmax over all experts, then top-k (Mixtral, Qwen, OLMoE; DeepSeek-V2 "greedy"). */
        SOFTMAX_TOPK,
        /** DeepSeek-V2 "group_limited_greedy": keep the topk_group groups with the best expert. */
        SOFTMAX_GROUP_LIMITED,
        /** DeepSeek-V3: sigmoid scores, correction bias for the choice, groups ranked by their two best. */
        SIGMOID_GROUP_LIMITED
    }

    public enum SharedExpertKind { NONE, SIGMOID_GATED, ALWAYS_ON }

    public boolean isMoeLayer(int layer) {
        return moeLayers[layer];
    }

    public int moeLayerCount() {
        int n = 0;
        for (boolean b : moeLayers) if (b) n++;
        return n;
    }

    /** Query/key width per head: head_dim for GQA, nope + rope dims for MLA. */
    public int qkHeadDim() {
        return architecture.usesMla() ? qkNopeHeadDim + qkRopeHeadDim : headDim;
    }

    public int valueHeadDim() {
        return architecture.usesMla() ? vHeadDim : headDim;
    }

    /** Dimensions rotated by RoPE within each head. */
    public int ropeDim() {
        return architecture.usesMla() ? qkRopeHeadDim : headDim;
    }

    /** Far more layers than any model has; a config saying more is refused before arrays are sized by it. */
    static final int MAX_LAYERS = 1 << 16;

    public static ModelConfig parse(Path configFile, JsonNode json) {
        return new Parser(configFile, json).parse();
    }

    /** Reads fields with one-line errors naming config.json and the field. */
    private static final class Parser {
        private final Path file;
        private final JsonNode json;

        Parser(Path file, JsonNode json) {
            this.file = file;
            this.json = json;
        }

        ModelConfig parse() {
            if (json == null || !json.isObject()) throw fail("not a JSON object");
            JsonNode mt = json.get("model_type");
            if (mt == null || !mt.isTextual()) {
                throw fail("missing required field \"model_type\" (supported: " + Architecture.supportedList() + ")");
            }
            Architecture arch = Architecture.fromModelType(mt.asText()).orElseThrow(() -> fail(
                    "model_type \"" + mt.asText() + "\" is not supported (supported: " + Architecture.supportedList() + ")"));

            int vocab = requiredInt("vocab_size");
            int hidden = requiredInt("hidden_size");
            int layers = requiredInt("num_hidden_layers");
            // Per-layer arrays are sized by this before any weight is checked against it.
            if (layers > MAX_LAYERS) throw fail("num_hidden_layers (" + layers + ") is more than the " + MAX_LAYERS + " we accept");
            int heads = requiredInt("num_attention_heads");
            if (heads < 1) throw fail("num_attention_heads must be at least 1, got " + heads);
            int kvHeads = optInt("num_key_value_heads", heads);
            if (kvHeads < 1) throw fail("num_key_value_heads must be at least 1, got " + kvHeads);
            if (heads % kvHeads != 0) throw fail("num_attention_heads (" + heads + ") is not a multiple of num_key_value_heads (" + kvHeads + ")");
            int headDim = optInt("head_dim", 0);
            boolean mla = arch.usesMla();
            if (headDim == 0 || mla) headDim = mla ? headDim : hidden / heads;
            if (!mla && hidden % heads != 0 && !json.hasNonNull("head_dim")) {
                throw fail("hidden_size (" + hidden + ") is not a multiple of num_attention_heads (" + heads + ") and head_dim is not given");
            }

            double eps = optDouble("rms_norm_eps", switch (arch) {
                case MIXTRAL, OLMOE -> 1e-5;
                default -> 1e-6;
            });
            boolean tie = optBool("tie_word_embeddings", false);

            boolean qkvBias = switch (arch) {
                case QWEN2_MOE -> optBool("qkv_bias", true);
                case QWEN3_MOE, OLMOE -> optBool("attention_bias", false);
                default -> false;
            };
            if (mla && optBool("attention_bias", false)) {
                throw fail("attention_bias=true is not supported for " + arch.modelType());
            }
            QkNorm qkNorm = switch (arch) {
                case QWEN3_MOE -> QkNorm.PER_HEAD;
                case OLMOE -> QkNorm.FULL_WIDTH;
                default -> QkNorm.NONE;
            };
            double clip = arch == Architecture.OLMOE && json.hasNonNull("clip_qkv") ? requiredDouble("clip_qkv") : Double.NaN;
            int window = slidingWindow(arch);

            int qLora = 0, kvLora = 0, nope = 0, ropeDim = 0, vDim = 0;
            boolean interleave = false;
            if (mla) {
                qLora = json.hasNonNull("q_lora_rank") ? requiredInt("q_lora_rank") : 0;
                kvLora = requiredInt("kv_lora_rank");
                nope = requiredInt("qk_nope_head_dim");
                ropeDim = requiredInt("qk_rope_head_dim");
                vDim = requiredInt("v_head_dim");
                // transformers' DeepSeek-V2 rotates interleaved pairs (complex form); V3 follows rope_interleave.
                interleave = arch == Architecture.DEEPSEEK_V2 || optBool("rope_interleave", true);
                headDim = ropeDim;
            }
            RopeConfig rope = rope(arch);

            int experts = switch (arch) {
                case MIXTRAL -> requiredInt("num_local_experts");
                case QWEN2_MOE, QWEN3_MOE, OLMOE -> json.hasNonNull("num_experts") ? requiredInt("num_experts") : requiredInt("num_local_experts");
                case DEEPSEEK_V2, DEEPSEEK_V3 -> requiredInt("n_routed_experts");
            };
            int topK = requiredInt("num_experts_per_tok");
            if (topK < 1 || topK > experts) throw fail("num_experts_per_tok (" + topK + ") must be between 1 and the number of experts (" + experts + ")");
            int intermediate = requiredInt("intermediate_size");
            int moeInter = switch (arch) {
                case MIXTRAL, OLMOE -> intermediate;
                default -> requiredInt("moe_intermediate_size");
            };
            boolean normTopk = switch (arch) {
                case MIXTRAL -> true;
                case QWEN2_MOE, OLMOE, DEEPSEEK_V2 -> optBool("norm_topk_prob", false);
                case QWEN3_MOE, DEEPSEEK_V3 -> optBool("norm_topk_prob", true);
            };
            // transformers' DeepSeek-V2 router scales but never renormalises.
            if (arch == Architecture.DEEPSEEK_V2) normTopk = false;

            RouterKind router = RouterKind.SOFTMAX_TOPK;
            int nGroup = 1, topkGroup = 1;
            double scaling = 1.0;
            if (arch == Architecture.DEEPSEEK_V2) {
                String method = optText("topk_method", "greedy");
                scaling = optDouble("routed_scaling_factor", 1.0);
                switch (method) {
                    case "greedy" -> router = RouterKind.SOFTMAX_TOPK;
                    case "group_limited_greedy" -> {
                        router = RouterKind.SOFTMAX_GROUP_LIMITED;
                        nGroup = requiredInt("n_group");
                        topkGroup = requiredInt("topk_group");
                    }
                    default -> throw fail("topk_method \"" + method + "\" is not supported (supported: greedy, group_limited_greedy)");
                }
            } else if (arch == Architecture.DEEPSEEK_V3) {
                router = RouterKind.SIGMOID_GROUP_LIMITED;
                nGroup = optInt("n_group", 1);
                topkGroup = optInt("topk_group", 1);
                scaling = optDouble("routed_scaling_factor", 1.0);
            }
            if (nGroup < 1 || experts % nGroup != 0) throw fail("n_routed_experts (" + experts + ") is not divisible by n_group (" + nGroup + ")");
            if (topkGroup < 1 || topkGroup > nGroup) throw fail("topk_group (" + topkGroup + ") must be between 1 and n_group (" + nGroup + ")");
            if (router == RouterKind.SIGMOID_GROUP_LIMITED && experts / nGroup < 2) throw fail("each expert group needs at least 2 experts (n_routed_experts / n_group)");
            if (router != RouterKind.SOFTMAX_TOPK && topK > topkGroup * (experts / nGroup)) {
                throw fail("num_experts_per_tok (" + topK + ") exceeds the experts in topk_group groups");
            }

            SharedExpertKind shared = SharedExpertKind.NONE;
            int sharedInter = 0;
            if (arch == Architecture.QWEN2_MOE) {
                sharedInter = optInt("shared_expert_intermediate_size", 0);
                if (sharedInter > 0) shared = SharedExpertKind.SIGMOID_GATED;
            } else if (mla) {
                int n = optInt("n_shared_experts", 0);
                if (n > 0) {
                    shared = SharedExpertKind.ALWAYS_ON;
                    sharedInter = moeInter * n;
                }
            }
            double auxCoef = optDouble("router_aux_loss_coef", 0.0);
            // Lenient: some configs give a pad id outside the vocabulary (or none); then no row is frozen.
            JsonNode padNode = json.get("pad_token_id");
            int pad = padNode != null && padNode.canConvertToInt() && padNode.asInt() >= 0 && padNode.asInt() < vocab ? padNode.asInt() : -1;

            return new ModelConfig(arch, vocab, hidden, layers, heads, kvHeads, headDim, intermediate, eps, rope, tie,
                    qkvBias, qkNorm, clip, window, qLora, kvLora, nope, ropeDim, vDim, interleave,
                    experts, topK, moeInter, normTopk, router, nGroup, topkGroup, scaling, shared, sharedInter, auxCoef,
                    moeLayers(arch, layers, experts), pad);
        }

        private boolean[] moeLayers(Architecture arch, int layers, int experts) {
            boolean[] moe = new boolean[layers];
            switch (arch) {
                case MIXTRAL, OLMOE -> java.util.Arrays.fill(moe, true);
                case QWEN2_MOE, QWEN3_MOE -> {
                    Set<Integer> mlpOnly = new HashSet<>(intList("mlp_only_layers"));
                    int step = optInt("decoder_sparse_step", 1);
                    if (step < 1) throw fail("decoder_sparse_step must be at least 1");
                    for (int i = 0; i < layers; i++) moe[i] = !mlpOnly.contains(i) && experts > 0 && (i + 1) % step == 0;
                }
                case DEEPSEEK_V2, DEEPSEEK_V3 -> {
                    int firstDense = optInt("first_k_dense_replace", 0);
                    int freq = arch == Architecture.DEEPSEEK_V2 ? optInt("moe_layer_freq", 1) : 1;
                    if (freq < 1) throw fail("moe_layer_freq must be at least 1");
                    for (int i = 0; i < layers; i++) moe[i] = i >= firstDense && i % freq == 0;
                }
            }
            return moe;
        }

        private int slidingWindow(Architecture arch) {
            return switch (arch) {
                case MIXTRAL -> optInt("sliding_window", 0);
                case QWEN2_MOE, QWEN3_MOE -> optBool("use_sliding_window", false) ? optInt("sliding_window", 0) : 0;
                default -> 0;
            };
        }

        private RopeConfig rope(Architecture arch) {
            JsonNode p = json.get("rope_parameters");
            if (p == null || p.isNull()) p = json.get("rope_scaling");
            double defaultTheta = arch == Architecture.MIXTRAL ? 1e6 : 10000.0;
            double theta = json.hasNonNull("rope_theta") ? requiredDouble("rope_theta") : defaultTheta;
            if (p == null || p.isNull()) return RopeConfig.standard(theta);
            if (!p.isObject()) throw fail("rope_parameters must be an object");
            if (p.hasNonNull("rope_theta")) theta = p.get("rope_theta").asDouble();
            String type = p.hasNonNull("rope_type") ? p.get("rope_type").asText()
                    : p.hasNonNull("type") ? p.get("type").asText() : "default";
            if (type.equals("default")) return RopeConfig.standard(theta);
            if (!type.equals("yarn")) throw fail("rope type \"" + type + "\" is not supported (supported: default, yarn)");
            if (!p.hasNonNull("factor")) throw fail("rope_parameters of type yarn need \"factor\"");
            int maxPos = optInt("max_position_embeddings", 2048);
            int original = p.hasNonNull("original_max_position_embeddings")
                    ? p.get("original_max_position_embeddings").asInt() : maxPos;
            return new RopeConfig("yarn", theta, p.get("factor").asDouble(), original,
                    p.hasNonNull("attention_factor") ? p.get("attention_factor").asDouble() : Double.NaN,
                    p.hasNonNull("beta_fast") ? p.get("beta_fast").asDouble() : 32,
                    p.hasNonNull("beta_slow") ? p.get("beta_slow").asDouble() : 1,
                    p.hasNonNull("mscale") ? p.get("mscale").asDouble() : 0,
                    p.hasNonNull("mscale_all_dim") ? p.get("mscale_all_dim").asDouble() : 0,
                    !p.has("truncate") || p.get("truncate").asBoolean(true));
        }

        private CheckpointException fail(String problem) {
            return new CheckpointException(file, problem);
        }

        private int requiredInt(String field) {
            JsonNode n = json.get(field);
            if (n == null || n.isNull()) throw fail("missing required field \"" + field + "\"");
            if (!n.isIntegralNumber() || !n.canConvertToInt()) throw fail("field \"" + field + "\" must be an integer, got " + n);
            if (n.asInt() < 0) throw fail("field \"" + field + "\" must not be negative, got " + n);
            return n.asInt();
        }

        private double requiredDouble(String field) {
            JsonNode n = json.get(field);
            if (n == null || n.isNull()) throw fail("missing required field \"" + field + "\"");
            if (!n.isNumber()) throw fail("field \"" + field + "\" must be a number, got " + n);
            return n.asDouble();
        }

        private int optInt(String field, int def) {
            return json.hasNonNull(field) ? requiredInt(field) : def;
        }

        private double optDouble(String field, double def) {
            return json.hasNonNull(field) ? requiredDouble(field) : def;
        }

        private boolean optBool(String field, boolean def) {
            JsonNode n = json.get(field);
            if (n == null || n.isNull()) return def;
            if (!n.isBoolean()) throw fail("field \"" + field + "\" must be true or false, got " + n);
            return n.asBoolean();
        }

        private String optText(String field, String def) {
            JsonNode n = json.get(field);
            return n == null || n.isNull() ? def : n.asText();
        }

        private List<Integer> intList(String field) {
            List<Integer> out = new ArrayList<>();
            JsonNode n = json.get(field);
            if (n == null || n.isNull()) return out;
            if (!n.isArray()) throw fail("field \"" + field + "\" must be a list of integers");
            for (JsonNode e : n) out.add(e.asInt());
            return out;
        }
    }
}
