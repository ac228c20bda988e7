package io.moescope.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.moescope.files.CheckpointException;
import io.moescope.checkpoint.SafetensorsWriter;
import io.moescope.checkpoint.TensorData;
import io.moescope.files.AtomicFiles;
import io.moescope.files.InFlightFiles;
import io.moescope.files.InputFiles;
import io.moescope.files.IoProblems;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
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
 * written under a temporary name (see {@link InFlightFiles}) and renamed into place, so a kill or a
 * full disk never leaves a half checkpoint; only the newest keepLast are kept.
 */
public final class CheckpointStore {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern NAME = Pattern.compile("checkpoint-(\\d+)");
    /** What versions before the in-flight registry left behind after a kill. */
    private static final Pattern OLD_PARTIAL = Pattern.compile("checkpoint-\\d+\\.partial");
    public static final String STATE = "trainer_state.json";
    private final Path out;
    private final int keepLast;

    public CheckpointStore(Path out, int keepLast) {
        this.out = out;
        this.keepLast = keepLast;
    }

    /** What a resumed run needs besides the weights. */
    public record State(int step, double lastLoss, Map<String, Object> extra) {}

    /** @throws CheckpointException naming the checkpoint when it cannot be written (a full disk); nothing partial is left */
    public Path save(int step, ObjectNode config, List<TensorData> weights, List<TensorData> optimizer, State state,
                     Optional<Path> tokenizer) {
        Path dir = out.resolve(String.format("checkpoint-%06d", step));
        Path tmp = null;
        try {
            Files.createDirectories(out);
            tmp = InFlightFiles.createFolder(dir);
            AtomicFiles.writeString(tmp.resolve("config.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(config));
            SafetensorsWriter.write(tmp.resolve("model.safetensors"), weights, Map.of("format", "pt"));
            SafetensorsWriter.write(tmp.resolve("optimizer.safetensors"), optimizer, Map.of());
            AtomicFiles.writeString(tmp.resolve(STATE), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(state));
            if (tokenizer.isPresent()) {
                AtomicFiles.write(tmp.resolve("tokenizer.json"), InputFiles.readOwnBytes(tokenizer.get(), InputFiles.MAX_JSON_BYTES * 3));
            }
            deleteTree(dir);
            Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
            prune();
            return dir;
        } catch (IOException e) {
            throw new CheckpointException(dir, "cannot write the checkpoint: " + IoProblems.describe(e), e);
        } catch (CheckpointException e) {
            throw new CheckpointException(dir, "cannot write the checkpoint: " + e.problem(), e);
        } finally {
            InFlightFiles.deleteQuietly(tmp);
            if (tmp != null) InFlightFiles.remove(tmp);
        }
    }

    /** The newest complete checkpoint folder, if any. */
    public Optional<Path> latest() {
        return newestFirst().stream().findFirst();
    }

    /** Every checkpoint folder, newest first: resuming tries them in this order. */
    public List<Path> newestFirst() {
        List<Path> all = new ArrayList<>(list());
        all.sort(Comparator.comparingInt(CheckpointStore::stepOf).reversed());
        return all;
    }

    /** @throws CheckpointException naming trainer_state.json when it is missing, cut short or not a state of this checkpoint */
    public static State readState(Path checkpoint) {
        Path file = checkpoint.resolve(STATE);
        JsonNode n = InputFiles.parseJson(file, InputFiles.readOwnBytes(file, InputFiles.MAX_JSON_BYTES), JSON, "JSON");
        JsonNode step = n.get("step");
        if (!n.isObject() || step == null || !step.canConvertToInt() || !step.isIntegralNumber() || step.asInt() < 0) {
            throw new CheckpointException(file, "no valid \"step\": not a trainer state");
        }
        if (stepOf(checkpoint) >= 0 && step.asInt() != stepOf(checkpoint)) {
            throw new CheckpointException(file, "says step " + step.asInt() + ", but the folder is step " + stepOf(checkpoint));
        }
        try {
            return JSON.treeToValue(n, State.class);
        } catch (IOException e) {
            throw new CheckpointException(file, "not a trainer state: " + e.getClass().getSimpleName().replace("Exception", "").toLowerCase(), e);
        }
    }

    public List<Path> list() {
        if (!Files.isDirectory(out)) return List.of();
        try (Stream<Path> s = Files.list(out)) {
            return s.filter(p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) && NAME.matcher(p.getFileName().toString()).matches()).toList();
        } catch (IOException e) {
            throw new CheckpointException(out, "cannot list the run folder: " + IoProblems.describe(e), e);
        }
    }

    /** Removes half-written checkpoint folders of earlier versions ({@code checkpoint-N.partial}); call under the run's lock. */
    public void removeOldPartials() {
        if (!Files.isDirectory(out)) return;
        try (Stream<Path> s = Files.list(out)) {
            s.filter(p -> OLD_PARTIAL.matcher(p.getFileName().toString()).matches()).forEach(InFlightFiles::deleteQuietly);
        } catch (IOException e) {
            throw new CheckpointException(out, "cannot list the run folder: " + IoProblems.describe(e), e);
        }
        InFlightFiles.removeStale(out);
    }

    static int stepOf(Path checkpoint) {
        Matcher m = NAME.matcher(checkpoint.getFileName().toString());
        if (!m.matches()) return -1;
        try {
            return Integer.parseInt(m.group(1));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private void prune() throws IOException {
        List<Path> all = newestFirst();
        for (int i = keepLast; i < all.size(); i++) deleteTree(all.get(i));
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) return;
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(q);
        }
    }
}
