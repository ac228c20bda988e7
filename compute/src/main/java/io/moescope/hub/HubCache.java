package io.moescope.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.moescope.files.CheckpointException;
import io.moescope.model.Architecture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The local Hugging Face hub cache, read offline: a repo id such as {@code allenai/OLMoE-1B-7B-0924}
 * is found in {@code models--allenai--OLMoE-1B-7B-0924/snapshots/<revision>/}, the revision that
 * {@code refs/main} names (else the newest snapshot). The cache is where {@code huggingface_hub}
 * puts it: {@code $HF_HUB_CACHE}, else {@code $HF_HOME/hub}, else {@code ~/.cache/huggingface/hub}.
 * Nothing is ever downloaded.
 *
 * @param root the cache folder (which may not exist)
 */
public record HubCache(Path root) {

    /** owner/name, as the hub allows them: letters, digits, '-', '_', '.'; not a path like ./x or /x. */
    private static final Pattern REPO_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*");

    /** A cached model that MoEScope can open. */
    public record CachedModel(String repoId, Path snapshot, Architecture architecture, long bytes) {}

    /** Names the cache in place of the environment (-Dmoescope.hubCache=DIR), e.g. for tests of the command line. */
    public static final String PROPERTY = "moescope.hubCache";

    /** The cache this process's environment (or {@value #PROPERTY}) names. */
    public static HubCache fromEnvironment() {
        String p = System.getProperty(PROPERTY);
        if (p != null && !p.isBlank()) return new HubCache(Path.of(p));
        return of(System.getenv(), Path.of(System.getProperty("user.home")));
    }

    static HubCache of(Map<String, String> env, Path home) {
        String hub = env.get("HF_HUB_CACHE");
        if (hub != null && !hub.isBlank()) return new HubCache(Path.of(hub));
        String hfHome = env.get("HF_HOME");
        if (hfHome != null && !hfHome.isBlank()) return new HubCache(Path.of(hfHome, "hub"));
        return new HubCache(home.resolve(".cache").resolve("huggingface").resolve("hub"));
    }

    public static boolean looksLikeRepoId(String s) {
        return REPO_ID.matcher(s).matches() && !s.contains("..");
    }

    /**
     * The snapshot folder of a cached repo.
     *
     * @throws CheckpointException naming the repo when it is not cached, with how to download it
     */
    public Path resolve(String repoId) {
        Path repo = root.resolve("models--" + repoId.replace("/", "--"));
        Optional<Path> snapshot = Files.isDirectory(repo) ? snapshot(repo) : Optional.empty();
        if (snapshot.isEmpty()) {
            throw new CheckpointException(Path.of(repoId), "not a model folder, and not in the Hugging Face cache (" + root
                    + "); download it with: hf download " + repoId + "   (or: huggingface-cli download " + repoId + ")");
        }
        if (!Files.isRegularFile(snapshot.get().resolve("config.json"))) {
            throw new CheckpointException(Path.of(repoId), "cached snapshot " + snapshot.get() + " has no config.json (an incomplete download?);"
                    + " complete it with: hf download " + repoId);
        }
        return snapshot.get();
    }

    /** refs/main's revision if that snapshot exists, else the most recently written snapshot. */
    private static Optional<Path> snapshot(Path repo) {
        Path snapshots = repo.resolve("snapshots");
        try {
            Path main = repo.resolve("refs").resolve("main");
            if (Files.isRegularFile(main)) {
                String rev = Files.readString(main).strip();
                if (looksLikeRevision(rev) && Files.isDirectory(snapshots.resolve(rev))) return Optional.of(snapshots.resolve(rev));
            }
            if (!Files.isDirectory(snapshots)) return Optional.empty();
            try (Stream<Path> s = Files.list(snapshots)) {
                return s.filter(Files::isDirectory).max(Comparator.comparing(HubCache::modified));
            }
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static boolean looksLikeRevision(String rev) {
        return !rev.isEmpty() && rev.chars().allMatch(c -> Character.isLetterOrDigit(c) || c == '-' || c == '_' || c == '.') && !rev.equals("..");
    }

    private static long modified(Path p) {
        try {
            return Files.getLastModifiedTime(p).toMillis();
        } catch (IOException e) {
            return 0;
        }
    }

    /** Every cached model whose config.json names an architecture MoEScope runs, by repo id. */
    public List<CachedModel> models() {
        List<CachedModel> out = new ArrayList<>();
        if (!Files.isDirectory(root)) return out;
        List<Path> repos;
        try (Stream<Path> s = Files.list(root)) {
            repos = s.filter(p -> p.getFileName().toString().startsWith("models--")).sorted().toList();
        } catch (IOException e) {
            return out;
        }
        ObjectMapper json = new ObjectMapper();
        for (Path repo : repos) {
            String id = repo.getFileName().toString().substring("models--".length()).replaceFirst("--", "/");
            Optional<Path> snap = snapshot(repo);
            if (snap.isEmpty() || !Files.isRegularFile(snap.get().resolve("config.json"))) continue;
            try {
                JsonNode cfg = json.readTree(snap.get().resolve("config.json").toFile());
                Optional<Architecture> arch = Architecture.fromModelType(cfg.path("model_type").asText(""));
                arch.ifPresent(a -> out.add(new CachedModel(id, snap.get(), a, safetensorsBytes(snap.get()))));
            } catch (IOException e) {
                // A broken config is reported when the model is opened, not in a listing.
            }
        }
        return out;
    }

    /** The weights' size: snapshot files are links into blobs/, so sizes follow them. */
    private static long safetensorsBytes(Path snapshot) {
        try (Stream<Path> s = Files.list(snapshot)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".safetensors")).mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (IOException e) {
                    return 0;
                }
            }).sum();
        } catch (IOException e) {
            return 0;
        }
    }
}
