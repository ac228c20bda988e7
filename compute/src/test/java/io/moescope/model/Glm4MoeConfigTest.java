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

/** GLM-4 MoE's settings as transformers' Glm4MoeConfig reads them, and what we refuse of them. */
class Glm4MoeConfigTest {
    private static final Path FILE = Path.of("/models/glm/config.json");

    private static ObjectNode config() throws IOException {
        return (ObjectNode) new ObjectMapper().readTree(Conformance.archModel("glm4moe-a").resolve("config.json").toFile());
    }

    @Test
    void readsDeepSeekV3RoutingSharedExpertsDenseLayersAndPartialRotary() throws IOException {
        ModelConfig c = ModelConfig.parse(FILE, config());
        assertEquals(ModelConfig.RouterKind.SIGMOID_GROUP_LIMITED, c.routerKind());
        assertEquals(2, c.nGroup());
        assertEquals(2.5, c.routedScalingFactor());
        assertEquals(ModelConfig.SharedExpertKind.ALWAYS_ON, c.sharedExpertKind());
        assertEquals(16, c.sharedIntermediateSize());
        assertArrayEquals(new boolean[]{false, true, true}, new boolean[]{c.isMoeLayer(0), c.isMoeLayer(1), c.isMoeLayer(2)});
        assertEquals(16, c.headDim());
        assertEquals(8, c.ropeDim(), "partial_rotary_factor 0.5 of head_dim 16");
        assertEquals(ModelConfig.QkNorm.PER_HEAD, c.qkNorm());
        assertTrue(c.qkvBias());
    }

    @Test
    void absentSettingsMeanTransformersDefaults() throws IOException {
        ObjectNode j = config();
        for (String f : new String[]{"partial_rotary_factor", "use_qk_norm", "attention_bias", "n_shared_experts", "first_k_dense_replace"}) j.remove(f);
        ((ObjectNode) j.get("rope_parameters")).remove("partial_rotary_factor");
        ModelConfig c = ModelConfig.parse(FILE, j);
        assertEquals(8, c.ropeDim(), "transformers' default factor is 0.5");
        assertEquals(ModelConfig.QkNorm.NONE, c.qkNorm());
        assertEquals(false, c.qkvBias());
        assertEquals(16, c.sharedIntermediateSize(), "one shared expert");
        assertEquals(false, c.isMoeLayer(0), "the first layer is dense");
    }

    @Test
    void aRotaryShareWeCannotRotateIsRefusedNamingTheField() throws IOException {
        ObjectNode j = config();
        ((ObjectNode) j.get("rope_parameters")).put("partial_rotary_factor", 0);
        assertTrue(assertThrows(CheckpointException.class, () -> ModelConfig.parse(FILE, j)).getMessage()
                .contains("\"partial_rotary_factor\" must be greater than 0 and at most 1, got 0.0"));
        ((ObjectNode) j.get("rope_parameters")).put("partial_rotary_factor", 0.3125);
        assertTrue(assertThrows(CheckpointException.class, () -> ModelConfig.parse(FILE, j)).getMessage()
                .contains("the rotary dimension (head_dim x partial_rotary_factor = 5) must be even"));
    }
}
