package io.moescope.randomcheckpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.moescope.model.ModelConfig;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The published configs in sample-models/configs parse, and describe models of the published size. */
class SampleConfigsTest {

    /** @param published the model card's total in billions, to the digits it gives */
    @ParameterizedTest
    @CsvSource({
            "OLMoE-1B-7B-0924, olmoe, 6.92",
            "Qwen1.5-MoE-A2.7B, qwen2_moe, 14.3",
            "DeepSeek-V2-Lite, deepseek_v2, 15.7",
            "Mixtral-8x7B-v0.1, mixtral, 46.7",
            "Qwen3-30B-A3B, qwen3_moe, 30.5"})
    void parsesWithThePublishedParameterCount(String name, String modelType, String published) throws IOException {
        Path file = Path.of("../sample-models/configs", name, "config.json");
        ModelConfig cfg = ModelConfig.parse(file, new ObjectMapper().readTree(file.toFile()));
        assertEquals(modelType, cfg.architecture().modelType());
        long count = CheckpointLayout.of(cfg).stream().mapToLong(CheckpointLayout.Entry::elements).sum();
        double billions = count / 1e9;
        int digits = published.length() - published.indexOf('.') - 1;
        double halfStep = 0.5 * Math.pow(10, -digits);
        assertEquals(Double.parseDouble(published), billions, halfStep, name + ": " + count + " parameters");
    }
}
