package io.moescope.checkpoint;

import static io.moescope.checkpoint.StFiles.assertRefused;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShardedCheckpointTest {
    @TempDir Path tmp;
    Path dir;
    Path index;

    @BeforeEach
    void twoShards() {
        dir = StFiles.modelDir(tmp.resolve("model"));
        index = dir.resolve("model.safetensors.index.json");
        SafetensorsWriter.write(dir.resolve("model-00001-of-00002.safetensors"), List.of(
                TensorData.f32("a", new float[] {1f, 2f}, 2), TensorData.f32("b", new float[] {3f}, 1)), Map.of());
        SafetensorsWriter.write(dir.resolve("model-00002-of-00002.safetensors"), List.of(
                TensorData.f32("c", new float[] {4f, 5f, 6f}, 3)), Map.of());
    }

    private void index(String weightMap) throws IOException {
        Files.writeString(index, ("{'metadata': {'total_size': 24}, 'weight_map': " + weightMap + "}").replace('\'', '"'));
    }

    @Test
    void readsTensorsAcrossShards() throws IOException {
        index("{'c': 'model-00002-of-00002.safetensors', 'a': 'model-00001-of-00002.safetensors',"
                + " 'b': 'model-00001-of-00002.safetensors'}");
        try (Checkpoint c = Checkpoint.open(dir)) {
            assertEquals(List.of("c", "a", "b"), List.copyOf(c.tensorNames()));
            assertEquals(2, c.files().size());
            assertArrayEquals(new float[] {4f, 5f, 6f}, c.floats("c").toArray());
            assertArrayEquals(new float[] {1f, 2f}, c.floats("a").toArray());
            assertEquals(dir.resolve("model-00001-of-00002.safetensors"), c.info("b").file());
            assertEquals(24, c.totalBytes());
        }
    }

    @Test
    void subfolderAndInternalSymlinkAreFine() throws IOException {
        Files.createDirectories(dir.resolve("shards"));
        Files.move(dir.resolve("model-00002-of-00002.safetensors"), dir.resolve("shards/two.safetensors"));
        Files.createSymbolicLink(dir.resolve("one.safetensors"), dir.resolve("model-00001-of-00002.safetensors"));
        index("{'a': 'one.safetensors', 'b': 'one.safetensors', 'c': 'shards/two.safetensors'}");
        try (Checkpoint c = Checkpoint.open(dir)) {
            assertArrayEquals(new float[] {3f}, c.floats("b").toArray());
            assertArrayEquals(new float[] {4f, 5f, 6f}, c.floats("c").toArray());
        }
    }

    @Test
    void huggingFaceCacheSnapshotLinksToBlobs() throws IOException {
        // models--org--name/snapshots/<rev>/file -> ../../blobs/<hash>, as huggingface_hub lays out its cache.
        Path repo = tmp.resolve("hub/models--org--tiny");
        Path blobs = Files.createDirectories(repo.resolve("blobs"));
        Path snap = StFiles.modelDir(repo.resolve("snapshots/abc123"));
        Files.move(dir.resolve("model-00001-of-00002.safetensors"), blobs.resolve("1111"));
        Files.move(dir.resolve("model-00002-of-00002.safetensors"), blobs.resolve("2222"));
        Files.createSymbolicLink(snap.resolve("s1.safetensors"), Path.of("../../blobs/1111"));
        Files.createSymbolicLink(snap.resolve("s2.safetensors"), Path.of("../../blobs/2222"));
        Files.writeString(snap.resolve("model.safetensors.index.json"),
                "{\"weight_map\": {\"a\": \"s1.safetensors\", \"c\": \"s2.safetensors\"}}");
        try (Checkpoint c = Checkpoint.open(snap)) {
            assertArrayEquals(new float[] {1f, 2f}, c.floats("a").toArray());
        }
    }

    @Test
    void invalidIndexJson() throws IOException {
        Files.writeString(index, "{\"weight_map\": {\"a\": ");
        assertRefused(index, "invalid JSON", () -> Checkpoint.open(dir));
    }

    @Test
    void indexWithoutWeightMap() throws IOException {
        Files.writeString(index, "{\"metadata\": {}}");
        assertRefused(index, "no \"weight_map\" object", () -> Checkpoint.open(dir));
    }

    @Test
    void weightMapValueNotAString() throws IOException {
        index("{'a': 3}");
        assertRefused(index, "weight_map entry for a is not a file name", () -> Checkpoint.open(dir));
    }

    @Test
    void parentDirectoryInShardName() throws IOException {
        SafetensorsWriter.write(tmp.resolve("x.safetensors"), List.of(TensorData.f32("a", new float[] {9f}, 1)), Map.of());
        index("{'a': '../x.safetensors'}");
        assertRefused(index, "shard file name \"../x.safetensors\" (for tensor a) contains \"..\"", () -> Checkpoint.open(dir));
    }

    @Test
    void absoluteShardName() throws IOException {
        Path outside = tmp.resolve("x.safetensors");
        SafetensorsWriter.write(outside, List.of(TensorData.f32("a", new float[] {9f}, 1)), Map.of());
        index("{'a': '" + outside.toAbsolutePath() + "'}");
        assertRefused(index, "is an absolute path", () -> Checkpoint.open(dir));
    }

    @Test
    void symlinkLeadingOutOfTheFolder() throws IOException {
        Path outside = tmp.resolve("elsewhere/x.safetensors");
        Files.createDirectories(outside.getParent());
        SafetensorsWriter.write(outside, List.of(TensorData.f32("a", new float[] {9f}, 1)), Map.of());
        Files.createSymbolicLink(dir.resolve("link.safetensors"), outside);
        index("{'a': 'link.safetensors'}");
        assertRefused(index, "outside the model folder", () -> Checkpoint.open(dir));
    }

    @Test
    void missingShard() throws IOException {
        index("{'a': 'model-00001-of-00002.safetensors', 'z': 'model-00003-of-00003.safetensors'}");
        assertRefused(dir.resolve("model-00003-of-00003.safetensors"),
                "shard listed in model.safetensors.index.json (for tensor z) not found", () -> Checkpoint.open(dir));
    }

    @Test
    void tensorListedButAbsentFromItsShard() throws IOException {
        index("{'a': 'model-00001-of-00002.safetensors', 'c': 'model-00001-of-00002.safetensors'}");
        assertRefused(dir.resolve("model-00001-of-00002.safetensors"),
                "tensor c listed in model.safetensors.index.json is missing from this shard", () -> Checkpoint.open(dir));
    }

    @Test
    void pickleShardRefused() throws IOException {
        Files.write(dir.resolve("pytorch_model-00001.bin"), new byte[] {1});
        index("{'a': 'pytorch_model-00001.bin'}");
        assertRefused(dir.resolve("pytorch_model-00001.bin"), "pickle", () -> Checkpoint.open(dir));
    }

    @Test
    void badShardContentNamesTheShard() throws IOException {
        Path bad = StFiles.write(dir.resolve("model-00002-of-00002.safetensors"), new byte[] {1});
        index("{'a': 'model-00001-of-00002.safetensors', 'c': 'model-00002-of-00002.safetensors'}");
        assertRefused(bad, "truncated", () -> Checkpoint.open(dir));
    }
}
