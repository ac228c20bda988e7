package io.moescope.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moescope.tensor.FloatTensor;
import io.moescope.testing.Conformance;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The real checkpoints written by transformers/safetensors in the conformance folder. */
class ConformanceFilesTest {

    @Test
    void mixtralModelFile() {
        try (SafetensorsFile st = SafetensorsFile.open(Conformance.dir().resolve("mixtral-a/model.safetensors"))) {
            assertEquals(65, st.tensors().size());
            assertEquals(Map.of("format", "pt"), st.metadata());
            TensorInfo lm = st.info("lm_head.weight");
            assertEquals(DType.F32, lm.dtype());
            assertArrayEquals(new long[] {384, 64}, lm.shape());
            FloatTensor t = st.floats("lm_head.weight");
            assertTrue(t.segment().isMapped(), "F32 weights are used straight from the mapping");
            assertEquals(0.011451705358922482f, t.get(0));
            assertEquals(0.05471481755375862f, t.get(1));
            assertEquals(0.04367585852742195f, t.get(384 * 64 - 1));
            FloatTensor gate = st.floats("model.layers.1.block_sparse_moe.gate.weight");
            assertArrayEquals(new float[] {0.13639432191848755f, -0.2984333336353302f, 0.33253276348114014f},
                    java.util.Arrays.copyOf(gate.toArray(), 3));
        }
    }

    @Test
    void mixtralCheckpoint() {
        try (Checkpoint c = Checkpoint.open(Conformance.dir().resolve("mixtral-a"))) {
            assertEquals("mixtral", c.configJson().get("model_type").asText());
            assertEquals(222528L, c.parameterCount());
            assertEquals(Map.of(DType.F32, 222528L), c.dtypeCounts());
            assertEquals(4L * 222528, c.totalBytes());
            float[] norm = c.require("model.norm.weight", 64).toArray();
            for (float v : norm) assertEquals(1f, v);
            c.require("model.layers.1.block_sparse_moe.gate.weight", 8, 64);
            for (String name : c.tensorNames()) c.floats(name);
            assertEquals(List.of(), c.warnings());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"mixtral-a", "qwen2moe-a", "qwen3moe-a", "olmoe-a", "deepseekv3-a", "deepseekv2-a"})
    void everyConformanceFolderPassesValidation(String name) {
        Path dir = Conformance.dir().resolve(name);
        try (Checkpoint c = Checkpoint.open(dir); SafetensorsFile golden = SafetensorsFile.open(dir.resolve("golden.safetensors"))) {
            assertTrue(c.tensorNames().contains("model.embed_tokens.weight"));
            int[] ids = golden.ints("input_ids");
            assertEquals(24, ids.length);
            int vocab = c.configJson().get("vocab_size").asInt();
            for (int id : ids) assertTrue(id >= 0 && id < vocab);
        }
    }
}
