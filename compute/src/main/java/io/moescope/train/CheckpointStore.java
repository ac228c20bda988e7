package io.moescope.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.moescope.checkpoint.SafetensorsWriter;
import io.moescope.checkpoint.TensorData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Training checkpoints in HF layout, one folder per step (out/checkpoint-000500: config.json,
 * model.safetensors, plus optimizer.safetensors and trainer_state.json for resuming). A folder is
 * written under a temporary name and renamed into place, so a kill never leaves a half checkpoint;
 * only the newest keepLast are kept.
 */
public final class CheckpointStore {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern NAME = Pattern.compile("checkpoint-(\\d+)");
    private final Path out;
    private final int keepLast;

    public CheckpointStore(Path out, int keepLast) {
        this.out = out;
        this.keepLast = keepLast;
    }

    /** What a resumed run needs besides the weights. */
    public record State(int step, double lastLoss, Map<String, Object> extra) {}

    public Path save(int step, ObjectNode config, List<TensorData> weights, List<TensorData> optimizer, State state,
                     Optional<Path> tokenizer) {
        Path dir = out.resolve(String.format("checkpoint-%06d", step));
        Path tmp = out.resolve(dir.getFileName() + ".partial");
        try {
            Files.createDirectories(out);
            deleteTree(tmp);
            Files.createDirectories(tmp);
            Files.writeString(tmp.resolve("config.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(config));
            SafetensorsWriter.write(tmp.resolve("model.safetensors"), weights, Map.of("format", "pt"));
            SafetensorsWriter.write(tmp.resolve("optimizer.safetensors"), optimizer, Map.of());
            Files.writeString(tmp.resolve("trainer_state.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(state));
            if (tokenizer.isPresent()) Files.copy(tokenizer.get(), tmp.resolve("tokenizer.json"));
            deleteTree(dir);
            Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
            prune();
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint " + dir, e);
        }
    }

    /** The newest complete checkpoint folder, if any. */
    public Optional<Path> latest() {
        return list().stream().max(Comparator.comparingInt(CheckpointStore::stepOf));
    }

    public static State readState(Path checkpoint) throws IOException {
        return JSON.readValue(checkpoint.resolve("trainer_state.json").toFile(), State.class);
    }

    public List<Path> list() {
        if (!Files.isDirectory(out)) return List.of();
        try (Stream<Path> s = Files.list(out)) {
            return s.filter(p -> Files.isDirectory(p) && NAME.matcher(p.getFileName().toString()).matches()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static int stepOf(Path checkpoint) {
        Matcher m = NAME.matcher(checkpoint.getFileName().toString());
        return m.matches() ? Integer.parseInt(m.group(1)) : -1;
    }

    private void prune() throws IOException {
        List<Path> all = new ArrayList<>(list());
        all.sort(Comparator.comparingInt(CheckpointStore::stepOf));
        for (int i = 0; i < all.size() - keepLast; i++) deleteTree(all.get(i));
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(q);
        }
    }
}
