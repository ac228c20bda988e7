package io.moescope.model;

import com.fasterxml.jackson.databind.JsonNode;
import io.moescope.files.CheckpointException;
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
        int padTokenId,
        Multipliers multipliers) {

    /**
     * Granite's scaling of the residual stream (1 and NaN elsewhere): embeddings times {@code embedding},
     * the attention scale {@code attention} in place of 1/sqrt(head_dim) (NaN: that default), each
     * block's output times {@code residual} before it is added, the logits divided by {@code logits}.
     */
    public record Multipliers(double embedding, double attention, double residual, double logits) {
        public static final Multipliers NONE = new Multipliers(1, Double.NaN, 1, 1);
    }

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

    /** Dimensions rotated by RoPE within each head: the first ones, where GLM-4's partial rotary leaves the rest. */
    public int ropeDim() {
        return architecture.usesMla() || qkRopeHeadDim > 0 ? qkRopeHeadDim : headDim;
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
        /** Prefix of field names in messages: "" at the top, "rope_parameters." inside it. */
        private final String where;

        Parser(Path file, JsonNode json) {
            this(file, json, "");
        }

        Parser(Path file, JsonNode json, String where) {
            this.file = file;
            this.json = json;
            this.where = where;
        }

        ModelConfig parse() {
            if (json == null || !json.isObject()) throw fail("not a JSON object");
            JsonNode mt = json.get("model_type");
            if (mt == null || !mt.isTextual()) {
                throw fail("missing required field \"model_type\" (supported: " + Architecture.supportedList() + ")");
            }
            Architecture arch = Architecture.fromModelType(mt.asText()).orElseThrow(() -> fail(
                    "model_type \"" + mt.asText() + "\" is not supported (supported: " + Architecture.supportedList() + ")"));

            int vocab = positiveInt("vocab_size");
            int hidden = positiveInt("hidden_size");
            int layers = positiveInt("num_hidden_layers");
            // Per-layer arrays are sized by this before any weight is checked against it.
            if (layers > MAX_LAYERS) throw fail("num_hidden_layers (" + layers + ") is more than the " + MAX_LAYERS + " we accept");
            int heads = requiredInt("num_attention_heads");
            if (heads < 1) throw fail("num_attention_heads must be at least 1, got " + heads);
            int kvHeads = optInt("num_key_value_heads", heads);
            if (kvHeads < 1) throw fail("num_key_value_heads must be at least 1, got " + kvHeads);
            if (heads % kvHeads != 0) throw fail("num_attention_heads (" + heads + ") is not a multiple of num_key_value_heads (" + kvHeads + ")");
            int headDim = optInt("head_dim", 0);
            if (json.hasNonNull("head_dim") && headDim < 1 && !arch.usesMla()) throw fail("field \"head_dim\" must be at least 1, got " + headDim);
            boolean mla = arch.usesMla();
            if (headDim == 0 || mla) headDim = mla ? headDim : hidden / heads;
            if (!mla && hidden % heads != 0 && !json.hasNonNull("head_dim")) {
                throw fail("hidden_size (" + hidden + ") is not a multiple of num_attention_heads (" + heads + ") and head_dim is not given");
            }

            double eps = optDouble("rms_norm_eps", switch (arch) {
                case MIXTRAL, OLMOE, GLM4_MOE -> 1e-5;
                default -> 1e-6;
            });
            // Outside (0, 1] the norm divides by nothing (NaN logits) or flattens every activation.
            if (!(eps > 0 && eps <= 1)) throw fail("field \"rms_norm_eps\" must be greater than 0 and at most 1, got " + eps);
            String act = optText("hidden_act", "silu");
            // Never computed as another function: SiLU is the only activation the experts implement.
            if (!act.equals("silu") && !act.equals("swish")) {
                throw fail("hidden_act \"" + brief(act) + "\" is not supported (supported: silu)");
            }
            boolean tie = optBool("tie_word_embeddings", false);

            boolean qkvBias = switch (arch) {
                case QWEN2_MOE -> optBool("qkv_bias", true);
                case QWEN3_MOE, OLMOE, GLM4_MOE -> optBool("attention_bias", false);
                default -> false;
            };
            if ((mla || arch.isGranite()) && optBool("attention_bias", false)) {
                throw fail("attention_bias=true is not supported for " + arch.modelType());
            }
            QkNorm qkNorm = switch (arch) {
                case QWEN3_MOE -> QkNorm.PER_HEAD;
                case GLM4_MOE -> optBool("use_qk_norm", false) ? QkNorm.PER_HEAD : QkNorm.NONE;
                case OLMOE -> QkNorm.FULL_WIDTH;
                default -> QkNorm.NONE;
            };
            double clip = arch == Architecture.OLMOE && json.hasNonNull("clip_qkv") ? requiredDouble("clip_qkv") : Double.NaN;
            if (!Double.isNaN(clip) && !(clip > 0)) throw fail("field \"clip_qkv\" must be positive, got " + clip);
            int window = slidingWindow(arch);

            int qLora = 0, kvLora = 0, nope = 0, ropeDim = 0, vDim = 0;
            boolean interleave = false;
            if (mla) {
                qLora = json.hasNonNull("q_lora_rank") ? requiredInt("q_lora_rank") : 0;
                kvLora = positiveInt("kv_lora_rank");
                nope = requiredInt("qk_nope_head_dim");
                ropeDim = positiveInt("qk_rope_head_dim");
                vDim = positiveInt("v_head_dim");
                if (json.hasNonNull("q_lora_rank") && qLora < 1) throw fail("field \"q_lora_rank\" must be at least 1 (or null), got " + qLora);
                // transformers' DeepSeek-V2 rotates interleaved pairs (complex form); V3 follows rope_interleave.
                interleave = arch == Architecture.DEEPSEEK_V2 || optBool("rope_interleave", true);
                headDim = ropeDim;
            }
            if (arch == Architecture.GLM4_MOE) ropeDim = partialRotaryDim(headDim);
            int rotated = mla || ropeDim > 0 ? ropeDim : headDim;
            if (rotated % 2 != 0) throw fail("the rotary dimension (" + (mla ? "qk_rope_head_dim" : ropeDim > 0 ? "head_dim x partial_rotary_factor" : "head_dim") + " = " + rotated + ") must be even");
            RopeConfig rope = rope(arch);

            int experts = switch (arch) {
                case MIXTRAL -> requiredInt("num_local_experts");
                case GRANITEMOE, GRANITEMOE_SHARED -> optInt("num_local_experts", 8);
                case QWEN2_MOE, QWEN3_MOE, OLMOE -> json.hasNonNull("num_experts") ? requiredInt("num_experts") : requiredInt("num_local_experts");
                case DEEPSEEK_V2, DEEPSEEK_V3, GLM4_MOE -> requiredInt("n_routed_experts");
            };
            int topK = arch.isGranite() ? optInt("num_experts_per_tok", 2) : requiredInt("num_experts_per_tok");
            if (topK < 1 || topK > experts) throw fail("num_experts_per_tok (" + topK + ") must be between 1 and the number of experts (" + experts + ")");
            int intermediate = positiveInt("intermediate_size");
            int moeInter = switch (arch) {
                case MIXTRAL, OLMOE, GRANITEMOE, GRANITEMOE_SHARED -> intermediate;
                default -> positiveInt("moe_intermediate_size");
            };
            boolean normTopk = switch (arch) {
                // Granite's softmax over the top-k logits is the renormalised top-k of the full softmax.
                case MIXTRAL, GRANITEMOE, GRANITEMOE_SHARED -> true;
                case QWEN2_MOE, OLMOE, DEEPSEEK_V2 -> optBool("norm_topk_prob", false);
                case QWEN3_MOE, DEEPSEEK_V3, GLM4_MOE -> optBool("norm_topk_prob", true);
            };
            // transformers' DeepSeek-V2 router scales but never renormalises.
            if (arch == Architecture.DEEPSEEK_V2) normTopk = false;

            RouterKind router = RouterKind.SOFTMAX_TOPK;
            int nGroup = 1, topkGroup = 1;
            double scaling = 1.0;
            if (arch == Architecture.DEEPSEEK_V2) {
                String method = optText("topk_method", "greedy");
                scaling = optDouble("routed_scaling_factor", 1.0);
                requireText("scoring_func", "softmax");
                switch (method) {
                    case "greedy" -> router = RouterKind.SOFTMAX_TOPK;
                    case "group_limited_greedy" -> {
                        router = RouterKind.SOFTMAX_GROUP_LIMITED;
                        nGroup = requiredInt("n_group");
                        topkGroup = requiredInt("topk_group");
                    }
                    default -> throw fail("topk_method \"" + brief(method) + "\" is not supported (supported: greedy, group_limited_greedy)");
                }
            } else if (arch == Architecture.DEEPSEEK_V3 || arch == Architecture.GLM4_MOE) {
                // GLM-4's router is DeepSeek-V3's, without the two fields that name it
                router = RouterKind.SIGMOID_GROUP_LIMITED;
                requireText("topk_method", "noaux_tc");
                requireText("scoring_func", "sigmoid");
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

            if (!(scaling > 0)) throw fail("field \"routed_scaling_factor\" must be positive, got " + scaling);
            SharedExpertKind shared = SharedExpertKind.NONE;
            int sharedInter = 0;
            if (arch == Architecture.QWEN2_MOE) {
                sharedInter = optInt("shared_expert_intermediate_size", 0);
                if (sharedInter > 0) shared = SharedExpertKind.SIGMOID_GATED;
            } else if (arch == Architecture.GRANITEMOE_SHARED) {
                sharedInter = optInt("shared_intermediate_size", 0);
                if (sharedInter > 0) shared = SharedExpertKind.ALWAYS_ON;
            } else if (mla || arch == Architecture.GLM4_MOE) {
                int n = optInt("n_shared_experts", arch == Architecture.GLM4_MOE ? 1 : 0);
                if (n > 0) {
                    shared = SharedExpertKind.ALWAYS_ON;
                    sharedInter = moeInter * n;
                }
            }
            double auxCoef = optDouble("router_aux_loss_coef", 0.0);
            if (auxCoef < 0) throw fail("field \"router_aux_loss_coef\" must not be negative, got " + auxCoef);
            checkLayerTypes(layers, window);
            // Lenient: some configs give a pad id outside the vocabulary (or none); then no row is frozen.
            JsonNode padNode = json.get("pad_token_id");
            int pad = padNode != null && padNode.canConvertToInt() && padNode.asInt() >= 0 && padNode.asInt() < vocab ? padNode.asInt() : -1;

            return new ModelConfig(arch, vocab, hidden, layers, heads, kvHeads, headDim, intermediate, eps, rope, tie,
                    qkvBias, qkNorm, clip, window, qLora, kvLora, nope, ropeDim, vDim, interleave,
                    experts, topK, moeInter, normTopk, router, nGroup, topkGroup, scaling, shared, sharedInter, auxCoef,
                    moeLayers(arch, layers, experts), pad, multipliers(arch));
        }

        /**
         * GLM-4's rotated share of each head: rope_parameters' partial_rotary_factor, else the top-level
         * one, else transformers' default of 0.5; the head's first int(head_dim x factor) dimensions turn.
         */
        private int partialRotaryDim(int headDim) {
            JsonNode rp = json.get("rope_parameters");
            double f = rp != null && rp.isObject() && rp.hasNonNull("partial_rotary_factor")
                    ? new Parser(file, rp, "rope_parameters.").requiredDouble("partial_rotary_factor") : optDouble("partial_rotary_factor", 0.5);
            if (!(f > 0 && f <= 1)) throw fail("field \"partial_rotary_factor\" must be greater than 0 and at most 1, got " + f);
            int dim = (int) (headDim * f);
            if (dim < 2) throw fail("field \"partial_rotary_factor\" (" + f + ") leaves fewer than 2 of head_dim's " + headDim + " dimensions to rotate");
            return dim;
        }

        private Multipliers multipliers(Architecture arch) {
            if (!arch.isGranite()) return Multipliers.NONE;
            double logits = optDouble("logits_scaling", 1.0);
            if (logits == 0) throw fail("field \"logits_scaling\" must not be zero");
            return new Multipliers(optDouble("embedding_multiplier", 1.0), optDouble("attention_multiplier", 1.0),
                    optDouble("residual_multiplier", 1.0), logits);
        }

        private boolean[] moeLayers(Architecture arch, int layers, int experts) {
            boolean[] moe = new boolean[layers];
            switch (arch) {
                case MIXTRAL, OLMOE, GRANITEMOE, GRANITEMOE_SHARED -> java.util.Arrays.fill(moe, true);
                case QWEN2_MOE, QWEN3_MOE -> {
                    Set<Integer> mlpOnly = new HashSet<>(intList("mlp_only_layers"));
                    int step = optInt("decoder_sparse_step", 1);
                    if (step < 1) throw fail("decoder_sparse_step must be at least 1");
                    for (int i = 0; i < layers; i++) moe[i] = !mlpOnly.contains(i) && experts > 0 && (i + 1) % step == 0;
                }
                case DEEPSEEK_V2, DEEPSEEK_V3, GLM4_MOE -> {
                    int firstDense = optInt("first_k_dense_replace", arch == Architecture.GLM4_MOE ? 1 : 0);
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
            String field = json.hasNonNull("rope_parameters") ? "rope_parameters" : "rope_scaling";
            JsonNode p = json.get(field);
            double defaultTheta = arch == Architecture.MIXTRAL ? 1e6 : 10000.0;
            double theta = json.hasNonNull("rope_theta") ? requiredDouble("rope_theta") : defaultTheta;
            if (p != null && !p.isNull() && !p.isObject()) throw fail("field \"" + field + "\" must be an object");
            Parser r = p == null || p.isNull() ? null : new Parser(file, p, field + ".");
            if (r != null && p.hasNonNull("rope_theta")) theta = r.requiredDouble("rope_theta");
            if (!(theta > 0)) throw fail("field \"rope_theta\" must be positive, got " + theta);
            if (r == null) return RopeConfig.standard(theta);
            String type = p.hasNonNull("rope_type") ? r.optText("rope_type", "default") : r.optText("type", "default");
            if (type.equals("default")) return RopeConfig.standard(theta);
            if (!type.equals("yarn")) throw fail("rope type \"" + brief(type) + "\" is not supported (supported: default, yarn)");
            if (!p.hasNonNull("factor")) throw fail("rope_parameters of type yarn need \"factor\"");
            double factor = r.requiredDouble("factor");
            if (!(factor >= 1)) throw fail("field \"" + field + ".factor\" must be at least 1 for yarn, got " + factor);
            int maxPos = optInt("max_position_embeddings", 2048);
            int original = p.hasNonNull("original_max_position_embeddings") ? r.positiveInt("original_max_position_embeddings") : maxPos;
            if (original < 1) throw fail("field \"max_position_embeddings\" must be at least 1, got " + original);
            double attention = p.hasNonNull("attention_factor") ? r.requiredDouble("attention_factor") : Double.NaN;
            if (!Double.isNaN(attention) && !(attention > 0)) throw fail("field \"" + field + ".attention_factor\" must be positive, got " + attention);
            double betaFast = r.optDouble("beta_fast", 32), betaSlow = r.optDouble("beta_slow", 1);
            if (!(betaFast > 0 && betaSlow > 0)) throw fail("fields \"" + field + ".beta_fast\" and \"beta_slow\" must be positive");
            double mscale = r.optDouble("mscale", 0), mscaleAll = r.optDouble("mscale_all_dim", 0);
            if (mscale < 0 || mscaleAll < 0) throw fail("fields \"" + field + ".mscale\" and \"mscale_all_dim\" must not be negative");
            return new RopeConfig("yarn", theta, factor, original, attention, betaFast, betaSlow, mscale, mscaleAll, r.optBool("truncate", true));
        }

        /** transformers' layer_types, where given: known types only, and sliding only where every layer slides. */
        private void checkLayerTypes(int layers, int window) {
            JsonNode n = json.get("layer_types");
            if (n == null || n.isNull()) return;
            if (!n.isArray()) throw fail("field \"layer_types\" must be a list of layer types");
            Set<String> seen = new HashSet<>();
            for (JsonNode t : n) {
                String type = t.isTextual() ? t.textValue() : null;
                if (!"full_attention".equals(type) && !"sliding_attention".equals(type)) {
                    throw fail("layer type \"" + brief(t.isTextual() ? t.textValue() : t.toString()) + "\" in \"layer_types\" is not supported (supported: full_attention, sliding_attention)");
                }
                seen.add(type);
            }
            if (seen.contains("sliding_attention") && (window == 0 || seen.size() > 1)) {
                throw fail("field \"layer_types\": sliding_attention layers are supported only when every layer slides over \"sliding_window\"");
            }
        }

        private CheckpointException fail(String problem) {
            return new CheckpointException(file, problem);
        }

        private int requiredInt(String field) {
            JsonNode n = json.get(field);
            if (n == null || n.isNull()) throw fail("missing required field \"" + where + field + "\"");
            if (!n.isIntegralNumber() || !n.canConvertToInt()) throw fail("field \"" + where + field + "\" must be an integer, got " + brief(n));
            if (n.asInt() < 0) throw fail("field \"" + where + field + "\" must not be negative, got " + n);
            return n.asInt();
        }

        private int positiveInt(String field) {
            int v = requiredInt(field);
            if (v < 1) throw fail("field \"" + where + field + "\" must be at least 1, got " + v);
            return v;
        }

        /** A finite number: 1e400 parses as infinity, and NaN or infinity here turns every logit into NaN. */
        private double requiredDouble(String field) {
            JsonNode n = json.get(field);
            if (n == null || n.isNull()) throw fail("missing required field \"" + where + field + "\"");
            if (!n.isNumber()) throw fail("field \"" + where + field + "\" must be a number, got " + brief(n));
            if (!Double.isFinite(n.asDouble())) throw fail("field \"" + where + field + "\" must be a finite number, got " + brief(n));
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
            if (!n.isBoolean()) throw fail("field \"" + where + field + "\" must be true or false, got " + brief(n));
            return n.asBoolean();
        }

        private String optText(String field, String def) {
            JsonNode n = json.get(field);
            if (n == null || n.isNull()) return def;
            if (!n.isTextual()) throw fail("field \"" + where + field + "\" must be a string, got " + brief(n));
            return n.textValue();
        }

        /** A name that, where given, must be the one this architecture implements (scoring_func, topk_method). */
        private void requireText(String field, String only) {
            String v = optText(field, only);
            if (!v.equals(only)) throw fail(field + " \"" + brief(v) + "\" is not supported for this model_type (supported: " + only + ")");
        }

        /** Values quoted in messages come from the file: short, and never more than a value. */
        private static String brief(JsonNode n) {
            return n.isValueNode() ? brief(n.isTextual() ? "\"" + n.textValue() + "\"" : n.toString()) : "a " + n.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
        }

        private static String brief(String s) {
            return s.length() <= 40 ? s : s.substring(0, 40) + "...";
        }

        private List<Integer> intList(String field) {
            List<Integer> out = new ArrayList<>();
            JsonNode n = json.get(field);
            if (n == null || n.isNull()) return out;
            if (!n.isArray()) throw fail("field \"" + field + "\" must be a list of integers");
            for (JsonNode e : n) {
                if (!e.isIntegralNumber() || !e.canConvertToInt()) throw fail("field \"" + field + "\" must be a list of integers");
                out.add(e.asInt());
            }
            return out;
        }
    }
}
