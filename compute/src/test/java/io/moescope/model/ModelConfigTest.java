package io.moescope.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.moescope.files.CheckpointException;
import io.moescope.testing.Conformance;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ModelConfigTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path FILE = Path.of("/models/x/config.json");

    private static ObjectNode config(String model) throws IOException {
        return (ObjectNode) JSON.readTree(Conformance.model(model).resolve("config.json").toFile());
    }

    private static String refusal(ObjectNode json) {
        var e = assertThrows(CheckpointException.class, () -> ModelConfig.parse(FILE, json));
        assertEquals(FILE, e.file());
        assertTrue(e.getMessage().startsWith(FILE + ": "), e.getMessage());
        return e.getMessage();
    }

    @Test
    void unsupportedModelTypeListsTheSupportedOnes() throws IOException {
        ObjectNode j = config("mixtral-a").put("model_type", "llama");
        assertTrue(refusal(j).contains("model_type \"llama\" is not supported (supported: mixtral, qwen2_moe, qwen3_moe, olmoe, deepseek_v2, deepseek_v3, granitemoe, granitemoeshared, glm4_moe)"));
        j.remove("model_type");
        assertTrue(refusal(j).contains("missing required field \"model_type\""));
    }

    @Test
    void missingOrMistypedRequiredFieldsAreNamed() throws IOException {
        for (String field : new String[]{"hidden_size", "num_hidden_layers", "vocab_size", "num_local_experts", "num_experts_per_tok"}) {
            ObjectNode j = config("mixtral-a");
            j.remove(field);
            assertTrue(refusal(j).contains("missing required field \"" + field + "\""), field);
        }
        ObjectNode j = config("deepseekv3-a");
        j.remove("kv_lora_rank");
        assertTrue(refusal(j).contains("missing required field \"kv_lora_rank\""));
        ObjectNode s = config("qwen3moe-a").put("hidden_size", "sixty-four");
        assertTrue(refusal(s).contains("field \"hidden_size\" must be an integer"));
    }

    @Test
    void inconsistentRoutingSettingsAreRefused() throws IOException {
        assertTrue(refusal(config("mixtral-a").put("num_experts_per_tok", 9)).contains("num_experts_per_tok (9) must be between 1"));
        assertTrue(refusal(config("deepseekv3-a").put("n_group", 3)).contains("not divisible by n_group (3)"));
        assertTrue(refusal(config("deepseekv2-a").put("topk_method", "noaux_tc")).contains("topk_method \"noaux_tc\" is not supported"));
        ObjectNode rope = config("qwen3moe-a");
        ((ObjectNode) rope.get("rope_parameters")).put("rope_type", "longrope");
        assertTrue(refusal(rope).contains("rope type \"longrope\" is not supported"));
    }

    @Test
    void denseAndSparseLayersFollowEachArchitecturesRule() throws IOException {
        ObjectNode q = config("qwen2moe-a").put("num_hidden_layers", 6).put("decoder_sparse_step", 2);
        q.putArray("mlp_only_layers").add(3);
        assertArrayEquals(new boolean[]{false, true, false, false, false, true}, ModelConfig.parse(FILE, q).moeLayers());
        ObjectNode d = config("deepseekv2-a").put("num_hidden_layers", 5).put("first_k_dense_replace", 1).put("moe_layer_freq", 2);
        assertArrayEquals(new boolean[]{false, false, true, false, true}, ModelConfig.parse(FILE, d).moeLayers());
    }

    @Test
    void readsTheArchitectureSpecificSettings() throws IOException {
        ModelConfig v3 = ModelConfig.parse(FILE, config("deepseekv3-a"));
        assertEquals(ModelConfig.RouterKind.SIGMOID_GROUP_LIMITED, v3.routerKind());
        assertEquals(4, v3.nGroup());
        assertEquals(2, v3.topkGroup());
        assertEquals(2.5, v3.routedScalingFactor());
        assertEquals(32, v3.sharedIntermediateSize());
        assertEquals(24, v3.qkHeadDim());
        ModelConfig qwen2 = ModelConfig.parse(FILE, config("qwen2moe-a"));
        assertTrue(qwen2.qkvBias());
        assertEquals(ModelConfig.SharedExpertKind.SIGMOID_GATED, qwen2.sharedExpertKind());
        assertEquals(ModelConfig.QkNorm.FULL_WIDTH, ModelConfig.parse(FILE, config("olmoe-a")).qkNorm());
        ModelConfig qwen3 = ModelConfig.parse(FILE, config("qwen3moe-a"));
        assertEquals(ModelConfig.QkNorm.PER_HEAD, qwen3.qkNorm());
        assertEquals(16, qwen3.headDim());
        assertEquals(1_000_000.0, qwen3.rope().theta());
    }
}
