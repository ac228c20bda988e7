package io.moescope.inspect;

import io.moescope.backend.java.JavaBackend;
import io.moescope.checkpoint.Checkpoint;
import io.moescope.checkpoint.DType;
import io.moescope.model.ModelConfig;
import io.moescope.model.ModelLoader;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/**
 * What {@code moescope info} prints and the workbench's model view shows: architecture, sizes,
 * parameters in total and active per token, storage dtypes, and the memory a run needs.
 *
 * @param storedBytes   tensor bytes in the safetensors files (memory-mapped, file-backed, not copied)
 * @param float32Copies heap bytes of packed float32 weights the java backend keeps at most (its panel
 *                      limit, or all weights where they take less)
 */
public record ModelSummary(Path dir, ModelConfig config, long totalParameters, long activeParameters,
                           Map<DType, Long> dtypeParameters, long storedBytes, long float32Copies) {

    /** Sequence length the memory estimate in {@link #render()} assumes. */
    public static final int EXAMPLE_TOKENS = 512;

    /** @throws io.moescope.files.CheckpointException on a bad model folder */
    public static ModelSummary of(Path modelDir) {
        try (Checkpoint ckpt = Checkpoint.open(modelDir)) {
            ModelConfig cfg = ModelLoader.config(ckpt);
            Map<DType, Long> dtypes = ckpt.dtypeCounts();
            long total = ckpt.parameterCount();
            long copies = Math.min(4 * total, JavaBackend.panelBytesLimit());
            // Weights that are not this config's (a file of probes, another model's) would give nonsense counts, negative ones too.
            long inactive = inactivePerToken(cfg);
            if (total < inactive) {
                throw new io.moescope.files.CheckpointException(modelDir, "the weights do not match config.json: they hold "
                        + total + " parameters, fewer than the " + inactive + " its routed experts alone need");
            }
            return new ModelSummary(modelDir, cfg, total, total - inactivePerToken(cfg), dtypes, ckpt.totalBytes(), copies);
        }
    }

    /** Routed experts a token does not visit: (E - k) SwiGLU experts in every MoE layer. */
    static long inactivePerToken(ModelConfig cfg) {
        return ConfigMemory.mul(cfg.moeLayerCount(), cfg.numExperts() - cfg.topK(), 3, cfg.hiddenSize(), cfg.moeIntermediateSize());
    }

    /** Activations and probes of one analysed forward pass of T tokens: attention maps, hidden states, logits. */
    public long probeBytes(int T) {
        ModelConfig c = config;
        // Saturating: a hostile config prints a huge figure, never a negative one.
        long attn = ConfigMemory.mul(c.numLayers(), c.numHeads(), T, T);
        long hidden = ConfigMemory.mul(c.numLayers() + 1L, T, c.hiddenSize());
        long logits = ConfigMemory.mul(T, c.vocabSize());
        long routers = ConfigMemory.mul(c.moeLayerCount(), T, c.numExperts() + 2L * c.topK());
        long working = ConfigMemory.mul(8, T, Math.max(c.hiddenSize(), c.intermediateSize()));
        return ConfigMemory.mul(4, ConfigMemory.add(attn, hidden, logits, routers, working));
    }

    public String render() {
        ModelConfig c = config;
        StringJoiner s = new StringJoiner("\n");
        s.add("model:        " + dir);
        s.add("architecture: " + c.architecture().modelType());
        int moe = c.moeLayerCount();
        s.add("layers:       " + c.numLayers() + " (" + moe + " MoE, " + (c.numLayers() - moe) + " dense)");
        s.add("experts:      " + c.numExperts() + " routed, top-" + c.topK() + ", router " + router(c) + sharedText(c));
        s.add("hidden size:  " + c.hiddenSize() + ", vocabulary " + c.vocabSize());
        s.add("attention:    " + attention(c));
        if (!c.multipliers().equals(ModelConfig.Multipliers.NONE)) s.add("multipliers:  " + multipliers(c.multipliers()));
        s.add("parameters:   " + count(totalParameters) + " total, " + count(activeParameters) + " active per token");
        StringJoiner d = new StringJoiner(", ");
        dtypeParameters.forEach((k, v) -> d.add(k + " " + count(v)));
        s.add("dtypes:       " + d);
        s.add("memory:       " + mib(storedBytes) + " weights (memory-mapped, file-backed) + " + mib(float32Copies)
                + " packed weights at most (heap)"
                + " + " + mib(probeBytes(EXAMPLE_TOKENS)) + " activations and probes at " + EXAMPLE_TOKENS + " tokens");
        return s.toString();
    }

    private static String router(ModelConfig c) {
        return switch (c.routerKind()) {
            case SOFTMAX_TOPK -> "softmax" + (c.normTopkProb() ? ", renormalised" : "");
            case SOFTMAX_GROUP_LIMITED -> "softmax, " + c.topkGroup() + " of " + c.nGroup() + " groups";
            case SIGMOID_GROUP_LIMITED -> "sigmoid + correction bias, " + c.topkGroup() + " of " + c.nGroup() + " groups"
                    + (c.normTopkProb() ? ", renormalised" : "");
        } + (c.routedScalingFactor() != 1.0 ? ", scaled by " + c.routedScalingFactor() : "");
    }

    private static String sharedText(ModelConfig c) {
        return switch (c.sharedExpertKind()) {
            case NONE -> "";
            case SIGMOID_GATED -> "; shared expert (width " + c.sharedIntermediateSize() + ", sigmoid gate)";
            case ALWAYS_ON -> "; shared experts (width " + c.sharedIntermediateSize() + ")";
        };
    }

    private static String multipliers(ModelConfig.Multipliers m) {
        return String.format(Locale.ROOT, "embeddings x%s, attention scale %s, residual branches x%s, logits / %s",
                m.embedding(), m.attention(), m.residual(), m.logits());
    }

    private static String attention(ModelConfig c) {
        String rope = c.rope().isYarn() ? "YaRN x" + c.rope().factor() : "RoPE";
        if (c.architecture().usesMla()) {
            return "MLA, " + c.numHeads() + " heads, kv rank " + c.kvLoraRank()
                    + (c.qLoraRank() > 0 ? ", q rank " + c.qLoraRank() : "") + ", qk " + c.qkNopeHeadDim() + "+" + c.qkRopeHeadDim()
                    + ", v " + c.vHeadDim() + ", " + rope;
        }
        if (c.ropeDim() != c.headDim()) rope += " on the first " + c.ropeDim() + " dimensions";
        return c.numHeads() + " heads, " + c.numKvHeads() + " kv heads, head dim " + c.headDim() + ", " + rope
                + (c.slidingWindow() > 0 ? ", window " + c.slidingWindow() : "");
    }

    static String count(long n) {
        if (n >= 1_000_000_000) return String.format(Locale.ROOT, "%.2f B", n / 1e9);
        if (n >= 1_000_000) return String.format(Locale.ROOT, "%.2f M", n / 1e6);
        if (n >= 1_000) return String.format(Locale.ROOT, "%.1f K", n / 1e3);
        return Long.toString(n);
    }

    static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024.0));
    }
}
