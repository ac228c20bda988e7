package io.moescope.grad;

import io.moescope.checkpoint.Checkpoint;
import io.moescope.checkpoint.SafetensorsWriter;
import io.moescope.checkpoint.TensorData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/** Float32 copies of a checkpoint with some tensors changed, for tests that need modified weights. */
final class CheckpointCopies {
    private CheckpointCopies() {}

    /** Every tensor of the checkpoint as float32 on the heap, in checkpoint order. */
    static Map<String, TensorData> read(Checkpoint ckpt) {
        Map<String, TensorData> out = new LinkedHashMap<>();
        for (String n : ckpt.tensorNames()) out.put(n, TensorData.f32(n, ckpt.floats(n).toArray(), ckpt.info(n).shape()));
        return out;
    }

    /** Writes config.json (copied) and one model.safetensors of the given tensors into a new folder. */
    static Path write(Path config, Path dir, List<TensorData> tensors) {
        try {
            Files.createDirectories(dir);
            Files.copy(config, dir.resolve("config.json"));
            SafetensorsWriter.write(dir.resolve("model.safetensors"), tensors, Map.of("format", "pt"));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** theta + eps * direction for the tensors the direction names; the others unchanged. */
    static Path perturbed(Checkpoint ckpt, Map<String, TensorData> theta, Map<String, float[]> direction, double eps, Path dir) {
        List<TensorData> out = theta.values().stream().map(t -> {
            float[] d = direction.get(t.name());
            if (d == null) return t;
            float[] v = t.floats().clone();
            for (int i = 0; i < v.length; i++) v[i] = (float) (v[i] + eps * d[i]);
            return TensorData.f32(t.name(), v, t.shape());
        }).toList();
        return write(ckpt.configFile(), dir, out);
    }

    /** A copy with some tensors replaced or renamed: the operator maps each tensor to its replacement, or null to drop it. */
    static Path rewritten(Checkpoint ckpt, Path dir, UnaryOperator<List<TensorData>> change) {
        return write(ckpt.configFile(), dir, change.apply(List.copyOf(read(ckpt).values())));
    }
}
