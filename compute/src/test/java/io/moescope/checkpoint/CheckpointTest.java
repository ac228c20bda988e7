package io.moescope.checkpoint;

import static io.moescope.checkpoint.StFiles.assertRefused;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moescope.files.CheckpointException;
import io.moescope.tensor.FloatTensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {
    @TempDir Path tmp;

    private Path singleFileModel() {
        Path dir = StFiles.modelDir(tmp.resolve("model"));
        SafetensorsWriter.write(dir.resolve("model.safetensors"), List.of(
                TensorData.f32("model.layers.0.mlp.gate.weight", new float[8 * 64], 8, 64),
                TensorData.f32("model.norm.weight", new float[] {1f, 2f, 3f}, 3),
                TensorData.i32("pos", new int[] {4, 5}, 2)), Map.of("format", "pt"));
        return dir;
    }

    @Test
    void opensASingleFileModel() throws IOException {
        Path dir = singleFileModel();
        try (Checkpoint c = Checkpoint.open(dir)) {
            assertEquals(dir, c.dir());
            assertEquals(dir.resolve("config.json"), c.configFile());
            assertEquals("test", c.configJson().get("model_type").asText());
            assertEquals(Optional.empty(), c.tokenizerFile());
            assertEquals(List.of("model.layers.0.mlp.gate.weight", "model.norm.weight", "pos"), List.copyOf(c.tensorNames()));
            assertTrue(c.has("pos"));
            assertFalse(c.has("nope"));
            assertNull(c.info("nope"));
            assertArrayEquals(new float[] {1f, 2f, 3f}, c.require("model.norm.weight", 3).toArray());
            assertArrayEquals(new int[] {4, 5}, c.ints("pos"));
            assertEquals(Map.of(DType.F32, 8L * 64 + 3, DType.I32, 2L), c.dtypeCounts());
            assertEquals(4L * (8 * 64 + 3 + 2), c.totalBytes());
            assertEquals(8L * 64 + 5, c.parameterCount());
            assertEquals(List.of(), c.warnings());
        }
        Files.writeString(dir.resolve("tokenizer.json"), "{}");
        try (Checkpoint c = Checkpoint.open(dir)) {
            assertEquals(Optional.of(dir.resolve("tokenizer.json")), c.tokenizerFile());
        }
    }

    @Test
    void closeReleasesMappings() {
        Checkpoint c = Checkpoint.open(singleFileModel());
        FloatTensor t = c.floats("model.norm.weight");
        c.close();
        assertThrows(IllegalStateException.class, () -> t.get(0));
    }

    @Test
    void missingTensorNamesTheFolder() {
        Path dir = singleFileModel();
        try (Checkpoint c = Checkpoint.open(dir)) {
            assertRefused(dir, "tensor lm_head.weight missing", () -> c.floats("lm_head.weight"));
            assertRefused(dir, "tensor lm_head.weight missing", () -> c.require("lm_head.weight", 1));
        }
    }

    @Test
    void requireRefusesAShapeTheConfigDoesNotImply() {
        Path dir = singleFileModel();
        try (Checkpoint c = Checkpoint.open(dir)) {
            assertRefused(dir.resolve("model.safetensors"),
                    "tensor model.layers.0.mlp.gate.weight has shape [8, 64], expected [8, 32] for this config",
                    () -> c.require("model.layers.0.mlp.gate.weight", 8, 32));
        }
    }

    @Test
    void missingFolder() {
        Path dir = tmp.resolve("no-such-model");
        assertRefused(dir, "model folder not found", () -> Checkpoint.open(dir));
    }

    @Test
    void fileInsteadOfFolder() {
        Path f = StFiles.write(tmp.resolve("model.safetensors"), new byte[8]);
        assertRefused(f, "not a folder", () -> Checkpoint.open(f));
    }

    @Test
    void missingConfig() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("m"));
        assertRefused(dir, "config.json missing", () -> Checkpoint.open(dir));
    }

    @Test
    void invalidConfigJson() throws IOException {
        Path dir = singleFileModel();
        Files.writeString(dir.resolve("config.json"), "{\"hidden_size\": 64,,}");
        assertRefused(dir.resolve("config.json"), "invalid JSON in config.json", () -> Checkpoint.open(dir));
    }

    @Test
    void missingModelFile() {
        Path dir = StFiles.modelDir(tmp.resolve("m"));
        assertRefused(dir, "neither model.safetensors nor model.safetensors.index.json found", () -> Checkpoint.open(dir));
    }

    @Test
    void pickleOnlyFolderRefusedWithConversionHint() throws IOException {
        Path dir = StFiles.modelDir(tmp.resolve("m"));
        Files.write(dir.resolve("training_args.bin"), new byte[] {1});
        Files.write(dir.resolve("pytorch_model.bin"), new byte[] {(byte) 0x80, 2});
        CheckpointException e = assertRefused(dir.resolve("pytorch_model.bin"), "pickle-based checkpoint pytorch_model.bin refused",
                () -> Checkpoint.open(dir));
        assertTrue(e.getMessage().contains("safe_serialization=True"));
    }

    @Test
    void corruptWeightsNameTheWeightsFile() {
        Path dir = StFiles.modelDir(tmp.resolve("m"));
        Path f = StFiles.write(dir.resolve("model.safetensors"), new byte[] {1, 2});
        assertRefused(f, "truncated", () -> Checkpoint.open(dir));
    }

    @Test
    void nanAndInfBecomeWarningsOncePerTensor() {
        Path dir = StFiles.modelDir(tmp.resolve("m"));
        SafetensorsWriter.write(dir.resolve("model.safetensors"), List.of(
                TensorData.f32("lm_head.weight", new float[] {Float.NaN, 1f, Float.POSITIVE_INFINITY, Float.NaN, Float.NEGATIVE_INFINITY}, 5),
                TensorData.f32("ok", new float[] {1f}, 1)), Map.of());
        try (Checkpoint c = Checkpoint.open(dir)) {
            c.floats("ok");
            assertEquals(List.of(), c.warnings());
            FloatTensor t = c.floats("lm_head.weight");
            assertTrue(Float.isNaN(t.get(0)), "values are returned as they are");
            c.require("lm_head.weight", 5);
            assertEquals(List.of("model.safetensors: tensor lm_head.weight has 2 NaN and 2 Inf values"), c.warnings());
        }
    }

    /** Opening reads headers only: a tensor is checked when first widened, not when handed out as stored. */
    @Test
    void storedWeightsAreCheckedOnFirstUseNotAtOpen() {
        Path dir = StFiles.modelDir(tmp.resolve("m"));
        SafetensorsWriter.write(dir.resolve("model.safetensors"), List.of(
                TensorData.f32("w", new float[] {Float.NaN, 1f, 2f, 3f}, 2, 2)), Map.of());
        try (Checkpoint c = Checkpoint.open(dir)) {
            StoredWeight w = c.stored("w", 2, 2);
            assertEquals(List.of(), c.warnings());
            float[] row = new float[2];
            w.widen(2, row, 0, 2);
            assertEquals(List.of("model.safetensors: tensor w has 1 NaN and 0 Inf values"), c.warnings());
            assertEquals(3f, row[1]);
            w.widen(0, row, 0, 2);
            assertEquals(1, c.warnings().size(), "checked once");
        }
    }

    // ---- DeepSeek-V3 FP8 block scales ----

    /** A 130x130 weight: four blocks, the right and bottom ones only 2 wide. */
    @Test
    void fp8BlockScaleDequantisation() {
        int n = 130;
        byte[] w = new byte[n * n];
        java.util.Random r = new java.util.Random(1);
        for (int i = 0; i < w.length; i++) {
            int b;
            do b = r.nextInt(256); while ((b & 0x7F) == 0x7F);
            w[i] = (byte) b;
        }
        w[0] = 0x38;                    // 1.0 in block (0,0)
        w[127 * n + 128] = 0x38;        // 1.0 in block (0,1): last row of the top blocks, first column of the right
        w[128 * n + 127] = 0x38;        // 1.0 in block (1,0)
        w[129 * n + 129] = 0x40;        // 2.0 in block (1,1), the bottom-right corner
        float[] scale = {2f, 0.5f, 4f, 0.25f};
        Path dir = StFiles.modelDir(tmp.resolve("ds"));
        StFiles.raw(dir.resolve("model.safetensors"), "{"
                + "'x.weight':{'dtype':'F8_E4M3','shape':[130,130],'data_offsets':[0,16900]},"
                + "'x.weight_scale_inv':{'dtype':'F32','shape':[2,2],'data_offsets':[16900,16916]},"
                + "'y.weight':{'dtype':'F8_E4M3','shape':[2],'data_offsets':[16916,16918]}}",
                StFiles.concat(w, StFiles.f32(scale), StFiles.u8(0x38, 0xC0)));
        try (Checkpoint c = Checkpoint.open(dir)) {
            FloatTensor t = c.require("x.weight", 130, 130);
            assertArrayEquals(new long[] {130, 130}, t.shape());
            assertEquals(2f, t.get(0));
            assertEquals(0.5f, t.get(127 * n + 128));
            assertEquals(4f, t.get(128 * n + 127));
            assertEquals(0.5f, t.get(129 * n + 129));
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    float expected = FloatFormats.e4m3(w[i * n + j]) * scale[(i / 128) * 2 + j / 128];
                    assertEquals(expected, t.get((long) i * n + j), "at " + i + "," + j);
                }
            }
            // No companion scale: plain FP8 decoding.
            assertArrayEquals(new float[] {1f, -2f}, c.floats("y.weight").toArray());
            assertEquals(List.of(), c.warnings());
        }
    }

    @Test
    void fp8ScaleOfTheWrongShapeIsRefused() {
        Path dir = StFiles.modelDir(tmp.resolve("ds"));
        Path f = StFiles.raw(dir.resolve("model.safetensors"), "{"
                + "'x.weight':{'dtype':'F8_E4M3','shape':[130,4],'data_offsets':[0,520]},"
                + "'x.weight_scale_inv':{'dtype':'F32','shape':[1,1],'data_offsets':[520,524]}}",
                StFiles.concat(new byte[520], StFiles.f32(1f)));
        try (Checkpoint c = Checkpoint.open(dir)) {
            assertRefused(f, "tensor x.weight_scale_inv has shape [1, 1], expected [2, 1] for 128x128 blocks of x.weight [130, 4]",
                    () -> c.floats("x.weight"));
        }
    }
}
