package io.moescope.randomcheckpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.moescope.checkpoint.Checkpoint;
import io.moescope.files.CheckpointException;
import io.moescope.checkpoint.DType;
import io.moescope.checkpoint.SafetensorsWriter;
import io.moescope.model.ModelConfig;
import io.moescope.model.RandomModel;
import io.moescope.model.RandomWeights;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Writes a checkpoint of any supported config with seeded random weights, laid out as published
 * checkpoints are: {@code model.safetensors}, or shards {@code model-0000i-of-0000n.safetensors}
 * of at most {@code shardBytes} each with a {@code model.safetensors.index.json}, and the config
 * copied as it is. Weights are drawn as {@link RandomWeights} draws them (N(0, initializer_range),
 * norms 1, biases 0), so an f32 random checkpoint holds exactly the weights of
 * {@link RandomModel} with the same seed, and routing spreads as in a freshly initialised model.
 *
 * <p>Memory stays bounded by a block of rows of one tensor. The folder appears whole or not at
 * all: it is written beside the output under a hidden name and moved into place at the end.
 */
public final class RandomCheckpoint {
    private RandomCheckpoint() {}

    /** transformers' default {@code max_shard_size} ("5GB"). */
    public static final long DEFAULT_SHARD_BYTES = 5_000_000_000L;

    /** What was written. */
    public record Written(Path dir, int shards, long bytes, long parameters) {}

    /**
     * @param progress told of each file as it is started
     * @throws CheckpointException naming the config or the output when either is unusable
     */
    public static Written write(Path configFile, StoredFormat format, Path out, long seed, long shardBytes, Consumer<String> progress) {
        if (shardBytes < 1) throw new IllegalArgumentException("the shard size must be at least 1 byte, got " + shardBytes);
        JsonNode json = readJson(configFile);
        ModelConfig cfg = ModelConfig.parse(configFile, json);
        double std = json.path("initializer_range").isNumber() ? json.get("initializer_range").asDouble() : RandomModel.DEFAULT_STD;
        checkOutput(out);
        List<SafetensorsWriter.Source> tensors = sources(cfg, format, new RandomWeights(seed, std));
        List<List<SafetensorsWriter.Source>> shards = shard(tensors, shardBytes);

        Path abs = out.toAbsolutePath().normalize();
        Path tmp = abs.resolveSibling("." + abs.getFileName() + ".partial-" + ProcessHandle.current().pid());
        try {
            deleteTree(tmp);
            Files.createDirectories(tmp);
            Files.copy(configFile, tmp.resolve(Checkpoint.CONFIG));
            long bytes = 0, params = 0;
            Map<String, String> weightMap = new TreeMap<>();
            for (int i = 0; i < shards.size(); i++) {
                String name = shards.size() == 1 ? Checkpoint.SINGLE_FILE
                        : String.format(Locale.ROOT, "model-%05d-of-%05d.safetensors", i + 1, shards.size());
                progress.accept(name);
                SafetensorsWriter.writeStreamed(tmp.resolve(name), shards.get(i), Map.of("format", "pt"));
                for (SafetensorsWriter.Source s : shards.get(i)) {
                    weightMap.put(s.name(), name);
                    bytes += s.byteSize();
                    if (!s.name().endsWith("_scale_inv")) params += elements(s.shape());
                }
            }
            if (shards.size() > 1) writeIndex(tmp.resolve("model.safetensors.index.json"), bytes, weightMap);
            if (Files.isDirectory(abs)) Files.delete(abs);   // checked empty above
            Files.move(tmp, abs);
            return new Written(out, shards.size(), bytes, params);
        } catch (IOException e) {
            deleteQuietly(tmp);
            throw new CheckpointException(out, "cannot write the checkpoint: " + e.getMessage(), e);
        } catch (RuntimeException | Error e) {
            deleteQuietly(tmp);
            throw e;
        }
    }

    static List<SafetensorsWriter.Source> sources(ModelConfig cfg, StoredFormat format, RandomWeights weights) {
        List<SafetensorsWriter.Source> out = new ArrayList<>();
        for (CheckpointLayout.Entry e : CheckpointLayout.of(cfg)) {
            GeneratedTensor t = new GeneratedTensor(e, format.dtypeOf(e), weights);
            out.add(t);
            if (t.dtype() == DType.F8_E4M3) out.add(t.scales());
        }
        return out;
    }

    /** In order, a new shard whenever the next tensor would take this one past the limit, as transformers shards. */
    static List<List<SafetensorsWriter.Source>> shard(List<SafetensorsWriter.Source> tensors, long shardBytes) {
        List<List<SafetensorsWriter.Source>> shards = new ArrayList<>();
        List<SafetensorsWriter.Source> current = new ArrayList<>();
        long size = 0;
        for (SafetensorsWriter.Source t : tensors) {
            if (!current.isEmpty() && size + t.byteSize() > shardBytes) {
                shards.add(current);
                current = new ArrayList<>();
                size = 0;
            }
            current.add(t);
            size += t.byteSize();
        }
        if (!current.isEmpty()) shards.add(current);
        return shards;
    }

    private static JsonNode readJson(Path file) {
        JsonNode n = io.moescope.files.InputFiles.readJson(file, io.moescope.files.InputFiles.MAX_JSON_BYTES, new ObjectMapper(), "JSON");
        if (!n.isObject()) throw new CheckpointException(file, "config is not a JSON object");
        return n;
    }

    /** Never overwrite: the output must be new, or an empty folder. */
    private static void checkOutput(Path out) {
        Path parent = out.toAbsolutePath().normalize().getParent();
        if (parent == null || !Files.isDirectory(parent)) throw new CheckpointException(out, "the output's parent folder does not exist");
        if (!Files.exists(out)) return;
        if (!Files.isDirectory(out)) throw new CheckpointException(out, "exists and is not a folder; choose a new --out");
        try (Stream<Path> s = Files.list(out)) {
            if (s.findAny().isPresent()) throw new CheckpointException(out, "folder is not empty; choose a new --out (nothing is overwritten)");
        } catch (IOException e) {
            throw new CheckpointException(out, "cannot list the folder: " + e.getMessage(), e);
        }
    }

    private static void writeIndex(Path file, long totalBytes, Map<String, String> weightMap) throws IOException {
        ObjectMapper m = new ObjectMapper();
        ObjectNode root = m.createObjectNode();
        root.putObject("metadata").put("total_size", totalBytes);
        ObjectNode map = root.putObject("weight_map");
        weightMap.forEach(map::put);
        Files.writeString(file, m.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n");
    }

    private static long elements(long[] shape) {
        long n = 1;
        for (long d : shape) n *= d;
        return n;
    }

    private static void deleteQuietly(Path dir) {
        try {
            deleteTree(dir);
        } catch (IOException ignored) {
            // The failure being reported matters more than a leftover temporary folder.
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }
}
