package io.moescope.randomcheckpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moescope.backend.java.JavaBackend;
import io.moescope.checkpoint.Checkpoint;
import io.moescope.files.CheckpointException;
import io.moescope.checkpoint.DType;
import io.moescope.model.ForwardResult;
import io.moescope.model.ModelConfig;
import io.moescope.model.ModelLoader;
import io.moescope.model.MoeModel;
import io.moescope.model.RandomModel;
import io.moescope.testing.Conformance;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class RandomCheckpointTest {
    @TempDir Path tmp;

    static Stream<Path> models() {
        return Conformance.gradientModels();
    }

    private Path write(Path model, StoredFormat f, long shardBytes) {
        Path out = tmp.resolve(model.getFileName() + "-" + f.option());
        RandomCheckpoint.write(model.resolve("config.json"), f, out, 5, shardBytes, name -> { });
        return out;
    }

    /** Every architecture in every format: written, reopened, loaded, and a forward pass gives finite logits. */
    @ParameterizedTest
    @MethodSource("models")
    void everyArchitectureAndFormatLoadsAndRuns(Path model) {
        for (StoredFormat f : StoredFormat.values()) {
            Path out = write(model, f, RandomCheckpoint.DEFAULT_SHARD_BYTES);
            try (Checkpoint ckpt = Checkpoint.open(out); JavaBackend b = new JavaBackend(1)) {
                assertTrue(ckpt.dtypeCounts().containsKey(f == StoredFormat.FP8 ? DType.F8_E4M3 : DType.valueOf(f.name())), f + " " + ckpt.dtypeCounts());
                ForwardResult r = ModelLoader.load(ckpt, b).forward(new int[]{1, 2, 3, 4, 5, 6}, MoeModel.Probes.NONE);
                for (float v : r.logits()) assertTrue(Float.isFinite(v), model + " " + f);
            }
        }
    }

    /** F32 stores exactly the weights of the in-memory random model of the same seed and the config's initializer_range. */
    @ParameterizedTest
    @MethodSource("models")
    void f32HoldsTheRandomModelsWeights(Path model) {
        Path out = write(model, StoredFormat.F32, RandomCheckpoint.DEFAULT_SHARD_BYTES);
        try (Checkpoint ckpt = Checkpoint.open(out); JavaBackend b = new JavaBackend(1)) {
            MoeModel loaded = ModelLoader.load(ckpt, b);
            ModelConfig cfg = loaded.config();
            double std = ckpt.configJson().path("initializer_range").asDouble(RandomModel.DEFAULT_STD);
            MoeModel fresh = RandomModel.create(cfg, b, 5, std);
            assertEquals(fresh.parameters().keySet(), loaded.parameters().keySet());
            for (String name : fresh.parameters().keySet()) {
                assertTrue(java.util.Arrays.equals(b.download(fresh.parameters().get(name)), b.download(loaded.parameters().get(name))), name);
            }
        }
    }

    /** Quantised weights stay within each format's rounding of the f32 ones: bf16 2^-8 relative, FP8 within a block's step. */
    @Test
    void narrowFormatsRoundTheSameValues() {
        Path model = Conformance.model("deepseekv3-a");
        String name = "model.layers.1.mlp.experts.0.up_proj.weight";
        try (Checkpoint f32 = Checkpoint.open(write(model, StoredFormat.F32, Long.MAX_VALUE));
             Checkpoint bf16 = Checkpoint.open(write(model, StoredFormat.BF16, Long.MAX_VALUE));
             Checkpoint fp8 = Checkpoint.open(write(model, StoredFormat.FP8, Long.MAX_VALUE))) {
            assertEquals(DType.F8_E4M3, fp8.info(name).dtype());
            assertTrue(fp8.has(name + "_scale_inv"));
            assertEquals(DType.BF16, fp8.info("model.embed_tokens.weight").dtype());
            var exact = f32.floats(name);
            var b = bf16.floats(name);
            var q = fp8.floats(name);
            float max = 0;
            for (long i = 0; i < exact.size(); i++) max = Math.max(max, Math.abs(exact.get(i)));
            boolean anyDiffers = false;
            for (long i = 0; i < exact.size(); i++) {
                float v = exact.get(i);
                assertEquals(v, b.get(i), Math.abs(v) / 256, "bf16 " + i);
                // One block here: its scale maps max to 448, where E4M3's step is 32; below, relative 2^-4 or the subnormal step.
                assertEquals(v, q.get(i), Math.max(Math.abs(v) / 16, max / 448 * 0x1p-9f), "fp8 " + i);
                anyDiffers |= q.get(i) != v;
            }
            assertTrue(anyDiffers, "fp8 rounds");
        }
    }

    /** A small shard limit splits the weights as transformers does, with an index that names each tensor's shard. */
    @Test
    void shardsWithAnIndex() throws IOException {
        Path model = Conformance.model("qwen2moe-a");
        Path out = write(model, StoredFormat.BF16, 20_000);
        List<String> files;
        try (Stream<Path> s = Files.list(out)) {
            files = s.map(p -> p.getFileName().toString()).sorted().toList();
        }
        assertTrue(files.contains("model.safetensors.index.json"), files.toString());
        assertFalse(files.contains("model.safetensors"));
        long shards = files.stream().filter(n -> n.matches("model-\\d{5}-of-\\d{5}\\.safetensors")).count();
        assertTrue(shards > 2, files.toString());
        assertTrue(files.contains(String.format("model-%05d-of-%05d.safetensors", shards, shards)));
        assertEquals(Files.readString(model.resolve("config.json")), Files.readString(out.resolve("config.json")));
        try (Checkpoint ckpt = Checkpoint.open(out); JavaBackend b = new JavaBackend(1)) {
            assertEquals(shards, ckpt.files().size());
            ModelLoader.load(ckpt, b).forward(new int[]{1, 2}, MoeModel.Probes.NONE);
        }
    }

    @Test
    void refusesToOverwriteAndLeavesNothingOnFailure() throws IOException {
        Path model = Conformance.model("mixtral-a");
        Path out = Files.createDirectories(tmp.resolve("taken"));
        Files.writeString(out.resolve("notes.txt"), "mine");
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> RandomCheckpoint.write(model.resolve("config.json"), StoredFormat.BF16, out, 1, 1 << 30, n -> { }));
        assertTrue(e.getMessage().contains("not empty"), e.getMessage());
        assertEquals("mine", Files.readString(out.resolve("notes.txt")));

        Path bad = Files.writeString(tmp.resolve("bad.json"), "{\"model_type\": \"llama\"}");
        Path fresh = tmp.resolve("fresh");
        e = assertThrows(CheckpointException.class, () -> RandomCheckpoint.write(bad, StoredFormat.BF16, fresh, 1, 1 << 30, n -> { }));
        assertTrue(e.getMessage().contains("llama"), e.getMessage());
        assertFalse(Files.exists(fresh));
        try (Stream<Path> s = Files.list(tmp)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().contains("partial")));
        }
    }
}
