package io.moescope.model;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.moescope.files.CheckpointException;
import io.moescope.testing.Conformance;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Config values that crashed the parser under fuzzing (division by zero, an array of 2^31 layers). */
class ModelConfigLimitsTest {
    private static final Path FILE = Path.of("/models/x/config.json");

    private static String refusal(String field, int value) throws IOException {
        ObjectNode j = (ObjectNode) new ObjectMapper().readTree(Conformance.model("mixtral-a").resolve("config.json").toFile());
        j.put(field, value);
        var e = assertThrows(CheckpointException.class, () -> ModelConfig.parse(FILE, j));
        assertTrue(e.getMessage().startsWith(FILE + ": "), e.getMessage());
        return e.getMessage();
    }

    @Test
    void zeroHeadsAreRefused() throws IOException {
        assertTrue(refusal("num_attention_heads", 0).contains("num_attention_heads must be at least 1, got 0"));
        assertTrue(refusal("num_key_value_heads", 0).contains("num_key_value_heads must be at least 1, got 0"));
    }

    @Test
    void absurdLayerCountIsRefusedBeforeAnythingIsSizedByIt() throws IOException {
        assertTrue(refusal("num_hidden_layers", Integer.MAX_VALUE).contains("num_hidden_layers (2147483647) is more than the 65536"));
    }
}
