package io.moescope.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moescope.checkpoint.Checkpoint;
import io.moescope.files.CheckpointException;
import io.moescope.model.Architecture;
import io.moescope.testing.Conformance;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** On a cache laid out as huggingface_hub lays it out: blobs, snapshots of links into them, refs/main. */
class HubCacheTest {
    @TempDir Path tmp;

    /** Caches a model folder under repoId at revision rev, its files as links into blobs/ (as the hub does). */
    private Path cache(Path root, String repoId, String rev, Path model, boolean main) throws IOException {
        Path repo = root.resolve("models--" + repoId.replace("/", "--"));
        Path snap = Files.createDirectories(repo.resolve("snapshots").resolve(rev));
        Files.createDirectories(repo.resolve("blobs"));
        try (var files = Files.list(model)) {
            for (Path f : files.filter(f -> f.getFileName().toString().matches("config.json|model.safetensors")).toList()) {
                Path blob = repo.resolve("blobs").resolve(rev + "-" + f.getFileName());
                Files.copy(f, blob);
                Files.createSymbolicLink(snap.resolve(f.getFileName()), Path.of("../../blobs").resolve(blob.getFileName()));
            }
        }
        if (main) {
            Files.createDirectories(repo.resolve("refs"));
            Files.writeString(repo.resolve("refs/main"), rev);
        }
        return snap;
    }

    @Test
    void findsTheCacheWhereHuggingFaceHubPutsIt() {
        Path home = Path.of("/home/u");
        assertEquals(Path.of("/c/hub"), HubCache.of(Map.of("HF_HUB_CACHE", "/c/hub", "HF_HOME", "/h"), home).root());
        assertEquals(Path.of("/h/hub"), HubCache.of(Map.of("HF_HOME", "/h"), home).root());
        assertEquals(Path.of("/home/u/.cache/huggingface/hub"), HubCache.of(Map.of(), home).root());
    }

    @Test
    void repoIdsAreNotPaths() {
        assertTrue(HubCache.looksLikeRepoId("allenai/OLMoE-1B-7B-0924"));
        assertTrue(HubCache.looksLikeRepoId("Qwen/Qwen1.5-MoE-A2.7B"));
        for (String s : new String[]{"./model", "/abs/model", "model", "a/b/c", "../x", "a/..", "~/x"}) {
            assertFalse(HubCache.looksLikeRepoId(s), s);
        }
    }

    @Test
    void resolvesRefsMainAndOpensTheSnapshot() throws IOException {
        Path root = tmp.resolve("hub");
        Path model = Conformance.model("olmoe-a");
        Path older = cache(root, "allenai/OLMoE-1B-7B-0924", "1111aaaa", model, false);
        Path current = cache(root, "allenai/OLMoE-1B-7B-0924", "2222bbbb", model, true);
        Files.setLastModifiedTime(older, FileTime.fromMillis(System.currentTimeMillis() + 60_000));   // newer on disk, but not main
        HubCache hub = new HubCache(root);
        assertEquals(current, hub.resolve("allenai/OLMoE-1B-7B-0924"));
        try (Checkpoint ckpt = Checkpoint.open(hub.resolve("allenai/OLMoE-1B-7B-0924"))) {
            assertTrue(ckpt.parameterCount() > 0);
        }
        // Without refs/main: the newest snapshot.
        Files.delete(root.resolve("models--allenai--OLMoE-1B-7B-0924/refs/main"));
        assertEquals(older, hub.resolve("allenai/OLMoE-1B-7B-0924"));
    }

    @Test
    void anUncachedRepoSaysHowToDownloadIt() {
        HubCache hub = new HubCache(tmp.resolve("empty-hub"));
        CheckpointException e = assertThrows(CheckpointException.class, () -> hub.resolve("allenai/OLMoE-1B-7B-0924"));
        assertTrue(e.getMessage().startsWith("allenai/OLMoE-1B-7B-0924: "), e.getMessage());
        assertTrue(e.getMessage().contains("hf download allenai/OLMoE-1B-7B-0924"), e.getMessage());
        assertTrue(e.getMessage().contains("huggingface-cli download allenai/OLMoE-1B-7B-0924"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void listsTheCachedModelsItCanOpen() throws IOException {
        Path root = tmp.resolve("hub");
        cache(root, "allenai/OLMoE-1B-7B-0924", "aaaa", Conformance.model("olmoe-a"), true);
        cache(root, "deepseek-ai/DeepSeek-V3", "bbbb", Conformance.model("deepseekv3-a"), true);
        Path llama = Files.createDirectories(tmp.resolve("llama"));
        Files.writeString(llama.resolve("config.json"), "{\"model_type\": \"llama\"}");
        cache(root, "meta-llama/Llama-3.2-1B", "cccc", llama, true);
        Files.createDirectories(root.resolve("datasets--some--data"));

        List<HubCache.CachedModel> models = new HubCache(root).models();
        assertEquals(List.of("allenai/OLMoE-1B-7B-0924", "deepseek-ai/DeepSeek-V3"), models.stream().map(HubCache.CachedModel::repoId).toList());
        assertEquals(Architecture.OLMOE, models.get(0).architecture());
        assertEquals(Files.size(Conformance.model("olmoe-a").resolve("model.safetensors")), models.get(0).bytes());
        assertTrue(new HubCache(tmp.resolve("none")).models().isEmpty());
    }
}
