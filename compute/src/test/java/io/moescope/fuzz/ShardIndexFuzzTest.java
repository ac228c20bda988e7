package io.moescope.fuzz;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.moescope.checkpoint.Checkpoint;
import io.moescope.checkpoint.SafetensorsWriter;
import io.moescope.checkpoint.TensorData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Timeout;

/**
 * The sharded index on arbitrary model.safetensors.index.json content, in a folder that offers the
 * fuzzer good shards, a shard in a subfolder, a link leading out of the folder, a pickle file and a
 * folder, so that names that escape or point at the wrong kind of file are tried too.
 */
class ShardIndexFuzzTest {
    private static final Path ROOT = Scratch.dir("index");
    private static final Path DIR = ROOT.resolve("model");

    static {
        try {
            Files.createDirectories(DIR.resolve("sub"));
            Scratch.write(DIR.resolve(Checkpoint.CONFIG), "{}");
            SafetensorsWriter.write(DIR.resolve("a.safetensors"), List.of(
                    TensorData.f32("a", new float[] {1f, 2f}, 2), TensorData.f32("b", new float[] {3f}, 1)), Map.of());
            SafetensorsWriter.write(DIR.resolve("sub/c.safetensors"), List.of(
                    TensorData.i32("c", new int[] {4, 5, 6}, 3)), Map.of());
            SafetensorsWriter.write(ROOT.resolve("outside.safetensors"), List.of(
                    TensorData.f32("x", new float[] {7f}, 1)), Map.of());
            Files.createSymbolicLink(DIR.resolve("link.safetensors"), ROOT.resolve("outside.safetensors"));
            Scratch.write(DIR.resolve("pytorch_model.bin"), new byte[] {(byte) 0x80, 2});
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @FuzzTest(maxDuration = "6s")
    @Timeout(30)
    @DictionaryEntries({"\"weight_map\"", "\"metadata\"", "\"a.safetensors\"", "\"sub/c.safetensors\"",
            "\"link.safetensors\"", "\"pytorch_model.bin\"", "\"../outside.safetensors\"", "\"sub\"", "\"a\"", "\"c\"",
            "\"x\"", "/", "\\\\", "..", "C:", "\\u0000"})
    void openAndReadEveryTensor(byte[] input) throws Exception {
        Scratch.write(DIR.resolve("model.safetensors.index.json"), input);
        Refusals.successOrRefusal(() -> {
            try (Checkpoint c = Checkpoint.open(DIR)) {
                for (String name : c.tensorNames()) c.floats(name);
                c.files();
            }
        });
    }
}
