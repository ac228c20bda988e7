package io.moescope.backend.java;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moescope.checkpoint.Checkpoint;
import io.moescope.checkpoint.SafetensorsWriter;
import io.moescope.model.ModelLoader;
import io.moescope.model.MoeModel;
import io.moescope.randomcheckpoint.RandomCheckpoint;
import io.moescope.randomcheckpoint.StoredFormat;
import io.moescope.tensor.FloatTensor;
import io.moescope.testing.Conformance;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The java backend computes from weights as stored (BF16, F16, F8_E4M3 with block scales): the same
 * logits as from a float32 copy of the same values. Widening is exact, so at 40 tokens (products
 * through panels either way) they are bit-identical; at 5 tokens the float32 copy takes the
 * dot-product path and sums in another order, within 1e-5 of the largest logit.
 */
class StoredFormatTest {
    @TempDir Path tmp;

    static Stream<Arguments> cases() {
        return Stream.of(StoredFormat.BF16, StoredFormat.F16, StoredFormat.FP8)
                .flatMap(f -> Stream.of("mixtral-a", "deepseekv3-a", "qwen2moe-a").map(m -> Arguments.of(f, m)));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void sameLogitsAsAFloat32CopyOfTheSameValues(StoredFormat format, String model) throws IOException {
        Path narrow = tmp.resolve("narrow");
        RandomCheckpoint.write(Conformance.model(model).resolve("config.json"), format, narrow, 9, Long.MAX_VALUE, n -> { });
        Path wide = float32Copy(narrow, tmp.resolve("wide"));
        int[] many = new int[40], few = {3, 1, 4, 1, 5};
        for (int i = 0; i < many.length; i++) many[i] = (i * 7 + 1) % 32;
        try (Checkpoint a = Checkpoint.open(narrow); Checkpoint b = Checkpoint.open(wide); JavaBackend java = new JavaBackend(2)) {
            MoeModel stored = ModelLoader.load(a, java), widened = ModelLoader.load(b, java);
            assertTrue(((JavaTensor) stored.parameters().get("model.layers.0.self_attn.o_proj.weight")).stored != null, "not widened at load");
            assertArrayEquals(widened.forward(many, MoeModel.Probes.NONE).logits(), stored.forward(many, MoeModel.Probes.NONE).logits());
            float[] x = widened.forward(few, MoeModel.Probes.NONE).logits(), y = stored.forward(few, MoeModel.Probes.NONE).logits();
            float max = 0, diff = 0;
            for (int i = 0; i < x.length; i++) {
                max = Math.max(max, Math.abs(x[i]));
                diff = Math.max(diff, Math.abs(x[i] - y[i]));
            }
            assertTrue(diff <= 1e-5f * max, "max difference " + diff + " of " + max);
        }
    }

    /** Loading reads no weight: a NaN in the final norm is found when a forward pass first reads it, not at load. */
    @ParameterizedTest
    @MethodSource("formats")
    void weightsAreCheckedWhenFirstReadNotAtLoad(StoredFormat format) throws IOException {
        Path dir = tmp.resolve("nan");
        RandomCheckpoint.write(Conformance.model("olmoe-a").resolve("config.json"), format, dir, 3, Long.MAX_VALUE, n -> { });
        long at;
        try (Checkpoint c = Checkpoint.open(dir)) {
            at = c.info("model.norm.weight").begin();
        }
        try (var ch = java.nio.channels.FileChannel.open(dir.resolve("model.safetensors"), java.nio.file.StandardOpenOption.WRITE)) {
            byte[] nan = format == StoredFormat.F32 ? new byte[]{0, 0, (byte) 0xC0, 0x7F} : new byte[]{(byte) 0xC0, 0x7F};
            ch.write(java.nio.ByteBuffer.wrap(nan), at);
        }
        try (Checkpoint c = Checkpoint.open(dir); JavaBackend java = new JavaBackend(1)) {
            MoeModel m = ModelLoader.load(c, java);
            assertTrue(c.warnings().isEmpty(), c.warnings().toString());
            m.forward(new int[]{1, 2, 3}, MoeModel.Probes.NONE);
            assertEquals(List.of("model.safetensors: tensor model.norm.weight has 1 NaN and 0 Inf values"), c.warnings());
        }
    }

    static Stream<StoredFormat> formats() {
        return Stream.of(StoredFormat.F32, StoredFormat.BF16);
    }

    /** Every tensor of dir widened to float32, written as a new checkpoint with the same config. */
    private static Path float32Copy(Path dir, Path out) throws IOException {
        Files.createDirectories(out);
        Files.copy(dir.resolve("config.json"), out.resolve("config.json"));
        try (Checkpoint c = Checkpoint.open(dir)) {
            Map<String, FloatTensor> all = new LinkedHashMap<>();
            for (String name : c.tensorNames()) if (!name.endsWith("_scale_inv")) all.put(name, c.floats(name));
            SafetensorsWriter.writeFloats(out.resolve("model.safetensors"), all, Map.of());
        }
        return out;
    }
}
