package io.moescope.fuzz;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.moescope.checkpoint.Checkpoint;
import io.moescope.inspect.InspectService;
import io.moescope.inspect.ModelSummary;
import java.nio.file.Path;
import org.junit.jupiter.api.Timeout;

/**
 * config.json on arbitrary bytes, beside the weights of {@link TinyModel}: Checkpoint.open's JSON
 * reading, ModelConfig.parse, what {@code info} prints, and, for configs that agree with the
 * weights, {@code inspect}'s memory estimate, model loading and a forward pass.
 */
class ConfigFuzzTest {
    private static final Path DIR = TinyModel.write(Scratch.dir("config"), false);
    private static final int[] IDS = {1, 2, 3};

    @FuzzTest(maxDuration = "6s")
    @Timeout(30)
    @DictionaryEntries({"\"model_type\"", "\"mixtral\"", "\"qwen2_moe\"", "\"qwen3_moe\"", "\"olmoe\"", "\"deepseek_v2\"",
            "\"deepseek_v3\"", "\"vocab_size\"", "\"hidden_size\"", "\"num_hidden_layers\"", "\"num_attention_heads\"",
            "\"num_key_value_heads\"", "\"head_dim\"", "\"intermediate_size\"", "\"moe_intermediate_size\"",
            "\"num_local_experts\"", "\"num_experts\"", "\"n_routed_experts\"", "\"num_experts_per_tok\"",
            "\"rope_scaling\"", "\"rope_parameters\"", "\"rope_type\"", "\"yarn\"", "\"factor\"", "\"rope_theta\"",
            "\"n_group\"", "\"topk_group\"", "\"topk_method\"", "\"group_limited_greedy\"", "\"kv_lora_rank\"",
            "\"q_lora_rank\"", "\"qk_nope_head_dim\"", "\"qk_rope_head_dim\"", "\"v_head_dim\"", "\"sliding_window\"",
            "\"use_sliding_window\"", "\"clip_qkv\"", "\"mlp_only_layers\"", "\"decoder_sparse_step\"",
            "\"first_k_dense_replace\"", "\"moe_layer_freq\"", "\"n_shared_experts\"", "\"tie_word_embeddings\"",
            "\"norm_topk_prob\"", "\"rms_norm_eps\"", "2147483647", "-1", "0", "1e308", "null", "true"})
    void parseLoadAndRun(byte[] input) throws Exception {
        Scratch.write(DIR.resolve(Checkpoint.CONFIG), input);
        Refusals.successOrRefusal(() -> {
            ModelSummary.of(DIR).render();
            InspectService.inspect(DIR, IDS, false);
        });
    }
}
