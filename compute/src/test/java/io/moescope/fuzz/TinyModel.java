package io.moescope.fuzz;

import io.moescope.checkpoint.Checkpoint;
import io.moescope.checkpoint.SafetensorsWriter;
import io.moescope.checkpoint.TensorData;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A Mixtral small enough to load and run for every fuzz input (vocabulary 16, width 8, one layer,
 * two experts), so that a fuzzed config.json that matches its shapes goes all the way through a
 * forward pass.
 */
final class TinyModel {
    private TinyModel() {}

    static final int V = 16, D = 8, H = 2, KV = 1, HEAD = 4, I = 8, E = 2;

    static final String CONFIG = """
            {"model_type": "mixtral", "vocab_size": 16, "hidden_size": 8, "num_hidden_layers": 1,
             "num_attention_heads": 2, "num_key_value_heads": 1, "head_dim": 4, "intermediate_size": 8,
             "num_local_experts": 2, "num_experts_per_tok": 1, "rms_norm_eps": 1e-05, "rope_theta": 10000.0,
             "tie_word_embeddings": false, "max_position_embeddings": 64}
            """;

    /** Writes model.safetensors (and the config above, unless told otherwise) into dir. */
    static Path write(Path dir, boolean withConfig) {
        Random r = new Random(7);
        List<TensorData> t = new ArrayList<>();
        t.add(f32(r, "model.embed_tokens.weight", V, D));
        String p = "model.layers.0.";
        t.add(ones(p + "input_layernorm.weight", D));
        t.add(f32(r, p + "self_attn.q_proj.weight", H * HEAD, D));
        t.add(f32(r, p + "self_attn.k_proj.weight", KV * HEAD, D));
        t.add(f32(r, p + "self_attn.v_proj.weight", KV * HEAD, D));
        t.add(f32(r, p + "self_attn.o_proj.weight", D, H * HEAD));
        t.add(ones(p + "post_attention_layernorm.weight", D));
        t.add(f32(r, p + "block_sparse_moe.gate.weight", E, D));
        for (int e = 0; e < E; e++) {
            String x = p + "block_sparse_moe.experts." + e + ".";
            t.add(f32(r, x + "w1.weight", I, D));
            t.add(f32(r, x + "w3.weight", I, D));
            t.add(f32(r, x + "w2.weight", D, I));
        }
        t.add(ones("model.norm.weight", D));
        t.add(f32(r, "lm_head.weight", V, D));
        SafetensorsWriter.write(dir.resolve(Checkpoint.SINGLE_FILE), t, Map.of());
        if (withConfig) Scratch.write(dir.resolve(Checkpoint.CONFIG), CONFIG);
        return dir;
    }

    private static TensorData f32(Random r, String name, int rows, int cols) {
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) v[i] = (float) (r.nextGaussian() * 0.2);
        return TensorData.f32(name, v, rows, cols);
    }

    private static TensorData ones(String name, int n) {
        float[] v = new float[n];
        java.util.Arrays.fill(v, 1f);
        return TensorData.f32(name, v, n);
    }
}
