package io.moescope.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.moescope.checkpoint.SafetensorsFile;
import io.moescope.checkpoint.SafetensorsWriter;
import io.moescope.checkpoint.TensorData;
import io.moescope.testing.Conformance;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * Makes the model folders of the malformed corpus: a copy of the conformance Mixtral, then one
 * thing broken, by rewriting its config, its tensors, or its bytes.
 */
final class CorpusModels {
    private CorpusModels() {}

    static final Path MIXTRAL = Conformance.dir().resolve("mixtral-a");
    static final Path KJV_TOKENIZER = Conformance.dir().resolve("tokenizer-kjv").resolve("tokenizer.json");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A working model folder: config.json and model.safetensors of the conformance Mixtral. */
    static Path mixtral(Path dir) {
        try {
            Files.createDirectories(dir);
            Files.copy(MIXTRAL.resolve("config.json"), dir.resolve("config.json"));
            Files.copy(MIXTRAL.resolve("model.safetensors"), dir.resolve("model.safetensors"));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path withTokenizer(Path dir) {
        return copy(KJV_TOKENIZER, dir.resolve("tokenizer.json"));
    }

    static Path config(Path dir, Consumer<ObjectNode> edit) {
        Path file = dir.resolve("config.json");
        try {
            ObjectNode c = (ObjectNode) JSON.readTree(file.toFile());
            edit.accept(c);
            return Files.writeString(file, c.toPrettyString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Rewrites model.safetensors with the tensors the edit returns (all float32 on the way out). */
    static Path tensors(Path dir, UnaryOperator<List<TensorData>> edit) {
        Path file = dir.resolve("model.safetensors");
        List<TensorData> all = new ArrayList<>();
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            for (String name : f.tensors().keySet()) all.add(TensorData.f32(name, f.floats(name).toArray(), f.info(name).shape()));
        }
        SafetensorsWriter.write(file, edit.apply(all), Map.of());
        return file;
    }

    /** The same tensor with one value replaced. */
    static TensorData withValue(TensorData t, int index, float value) {
        float[] v = t.floats().clone();
        v[index] = value;
        return TensorData.f32(t.name(), v, t.shape());
    }

    /** A safetensors file written byte by byte: header JSON with single quotes, declared length, data. */
    static Path raw(Path file, long declaredHeaderLength, String singleQuotedHeader, byte[] data) {
        byte[] h = singleQuotedHeader.replace('\'', '"').getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(declaredHeaderLength).put(h).put(data);
        return write(file, b.array());
    }

    static Path raw(Path file, String singleQuotedHeader, byte[] data) {
        return raw(file, singleQuotedHeader.getBytes(StandardCharsets.UTF_8).length, singleQuotedHeader, data);
    }

    /** The first n bytes of a file, as a cut-off download leaves it. */
    static Path truncate(Path file, long n) {
        try {
            byte[] all = Files.readAllBytes(file);
            return Files.write(file, java.util.Arrays.copyOf(all, (int) n));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A valid safetensors file of one float32 tensor, for shards. */
    static Path shard(Path file, String tensor) {
        SafetensorsWriter.write(file, List.of(TensorData.f32(tensor, new float[] {1f, 2f}, 2)), Map.of());
        return file;
    }

    static Path write(Path file, String text) {
        return write(file, text.replace('\'', '"').getBytes(StandardCharsets.UTF_8));
    }

    static Path write(Path file, byte[] bytes) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            return Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path copy(Path from, Path to) {
        try {
            Files.createDirectories(to.toAbsolutePath().getParent());
            return Files.copy(from, to);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void delete(Path file) {
        try {
            Files.delete(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
