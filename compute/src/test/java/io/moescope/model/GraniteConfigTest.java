package io.moescope.model;

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

/** Granite MoE's settings as transformers' GraniteMoeConfig reads them, and what we refuse of them. */
class GraniteConfigTest {
    private static final Path FILE = Path.of("/models/granite/config.json");

    private static ObjectNode config(String folder) throws IOException {
        return (ObjectNode) new ObjectMapper().readTree(Conformance.archModel(folder).resolve("config.json").toFile());
    }

    @Test
    void readsTheMultipliersAndTheSharedMlp() throws IOException {
        ModelConfig c = ModelConfig.parse(FILE, config("granitemoeshared-a"));
        assertEquals(new ModelConfig.Multipliers(6.0, 0.1, 0.3, 4.0), c.multipliers());
        assertEquals(ModelConfig.SharedExpertKind.ALWAYS_ON, c.sharedExpertKind());
        assertEquals(48, c.sharedIntermediateSize());
        assertEquals(32, c.moeIntermediateSize(), "Granite's experts are intermediate_size wide");
        assertTrue(c.normTopkProb(), "softmax over the top-k logits is the renormalised top-k");
        assertEquals(2, c.moeLayerCount());
    }

    @Test
    void absentMultipliersMeanTransformersDefaultsWhichAreOneIncludingTheAttentionScale() throws IOException {
        ObjectNode j = config("granitemoe-a");
        for (String f : new String[]{"embedding_multiplier", "attention_multiplier", "residual_multiplier", "logits_scaling"}) j.remove(f);
        assertEquals(new ModelConfig.Multipliers(1, 1, 1, 1), ModelConfig.parse(FILE, j).multipliers());
    }

    @Test
    void otherArchitecturesKeepTheirOwnAttentionScale() throws IOException {
        ObjectNode j = (ObjectNode) new ObjectMapper().readTree(Conformance.model("mixtral-a").resolve("config.json").toFile());
        assertEquals(ModelConfig.Multipliers.NONE, ModelConfig.parse(FILE, j).multipliers());
    }

    @Test
    void settingsWeDoNotImplementAreRefusedNamingTheField() throws IOException {
        assertEquals(FILE + ": attention_bias=true is not supported for granitemoe",
                assertThrows(CheckpointException.class, () -> ModelConfig.parse(FILE, config("granitemoe-a").put("attention_bias", true))).getMessage());
        assertTrue(assertThrows(CheckpointException.class, () -> ModelConfig.parse(FILE, config("granitemoe-a").put("logits_scaling", 0)))
                .getMessage().contains("\"logits_scaling\" must not be zero"));
        assertTrue(assertThrows(CheckpointException.class, () -> ModelConfig.parse(FILE, config("granitemoe-a").put("residual_multiplier", "x")))
                .getMessage().contains("\"residual_multiplier\" must be a number"));
    }
}
