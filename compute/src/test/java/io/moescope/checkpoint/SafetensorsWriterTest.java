package io.moescope.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moescope.tensor.FloatTensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsWriterTest {
    @TempDir Path tmp;

    @Test
    void roundTripValuesShapesAndMetadata() throws IOException {
        float[] big = new float[40_000];   // more than one write chunk
        for (int i = 0; i < big.length; i++) big[i] = i * 0.5f - 7f;
        List<TensorData> tensors = List.of(
                TensorData.f32("w", new float[] {1f, -2.5f, Float.MIN_VALUE, 3e38f, 0f, -0f}, 2, 3),
                TensorData.i32("ids", new int[] {0, -1, Integer.MAX_VALUE, Integer.MIN_VALUE}, 1, 4),
                TensorData.f32("big", big, 200, 200),
                TensorData.f32("scalar", new float[] {42f}),
                TensorData.f32("empty", new float[0], 0, 5));
        Path f = tmp.resolve("out.safetensors");
        SafetensorsWriter.write(f, tensors, Map.of("format", "pt", "källa", "ünïcode"));

        try (SafetensorsFile st = SafetensorsFile.open(f)) {
            assertEquals(List.of("w", "ids", "big", "scalar", "empty"), List.copyOf(st.tensors().keySet()));
            assertEquals(Map.of("format", "pt", "källa", "ünïcode"), st.metadata());
            for (TensorData t : tensors) {
                TensorInfo info = st.info(t.name());
                assertEquals(t.dtype(), info.dtype());
                assertArrayEquals(t.shape(), info.shape());
                if (t.floats() != null) assertArrayEquals(t.floats(), st.floats(t.name()).toArray());
                else assertArrayEquals(t.ints(), st.ints(t.name()));
            }
        }
        long n = ByteBuffer.wrap(Files.readAllBytes(f), 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, n % 8, "header padded to a multiple of 8");
        String header = new String(Files.readAllBytes(f), 8, (int) n, StandardCharsets.UTF_8);
        assertTrue(header.startsWith("{\"__metadata__\""), header);
        assertEquals(List.of(f), listing());
    }

    @Test
    void noMetadataMeansNoMetadataEntry() {
        Path f = tmp.resolve("a.safetensors");
        SafetensorsWriter.write(f, List.of(TensorData.f32("x", new float[] {1f}, 1)), null);
        try (SafetensorsFile st = SafetensorsFile.open(f)) {
            assertTrue(st.metadata().isEmpty());
            assertEquals(1f, st.floats("x").get(0));
        }
    }

    @Test
    void replacesAnExistingFileAtomically() throws IOException {
        Path f = tmp.resolve("a.safetensors");
        Files.writeString(f, "old contents");
        SafetensorsWriter.write(f, List.of(TensorData.f32("x", new float[] {2f, 3f}, 2)), Map.of());
        try (SafetensorsFile st = SafetensorsFile.open(f)) {
            assertArrayEquals(new float[] {2f, 3f}, st.floats("x").toArray());
        }
        assertEquals(List.of(f), listing());
    }

    @Test
    void theFileGetsTheUsualPermissionsNotTheTemporaryFilesPrivateOnes() throws IOException {
        Path f = tmp.resolve("p.safetensors");
        SafetensorsWriter.write(f, List.of(TensorData.f32("x", new float[] {1f}, 1)), null);
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
    }

    @Test
    void writesOffHeapFloatTensors() {
        Path src = tmp.resolve("src.safetensors");
        SafetensorsWriter.write(src, List.of(TensorData.f32("m", new float[] {1, 2, 3, 4, 5, 6}, 3, 2)), Map.of());
        Path f = tmp.resolve("copy.safetensors");
        try (SafetensorsFile st = SafetensorsFile.open(src)) {
            Map<String, FloatTensor> m = new LinkedHashMap<>();
            m.put("mapped", st.floats("m"));
            m.put("fresh", FloatTensor.of(new float[] {-1f, 0.5f}, 2));
            SafetensorsWriter.writeFloats(f, m, Map.of("k", "v"));
        }
        try (SafetensorsFile st = SafetensorsFile.open(f)) {
            assertArrayEquals(new long[] {3, 2}, st.info("mapped").shape());
            assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, st.floats("mapped").toArray());
            assertArrayEquals(new float[] {-1f, 0.5f}, st.floats("fresh").toArray());
            assertEquals("v", st.metadata().get("k"));
        }
    }

    @Test
    void duplicateNamesRejectedWithoutLeavingFiles() throws IOException {
        Path f = tmp.resolve("d.safetensors");
        assertThrows(IllegalArgumentException.class, () -> SafetensorsWriter.write(f, List.of(
                TensorData.f32("x", new float[] {1f}, 1), TensorData.f32("x", new float[] {2f}, 1)), Map.of()));
        assertEquals(List.of(), listing());
    }

    @Test
    void unwritableTargetNamesTheFileAndLeavesNoTemp() throws IOException {
        Path f = tmp.resolve("missing-dir").resolve("x.safetensors");
        StFiles.assertRefused(f, "cannot write", () ->
                SafetensorsWriter.write(f, List.of(TensorData.f32("x", new float[] {1f}, 1)), Map.of()));
        // Target is a directory: the move fails after the temp file was written, which must be removed.
        Path asDir = Files.createDirectories(tmp.resolve("taken.safetensors"));
        Files.writeString(asDir.resolve("keep"), "x");
        StFiles.assertRefused(asDir, "cannot write", () ->
                SafetensorsWriter.write(asDir, List.of(TensorData.f32("x", new float[] {1f}, 1)), Map.of()));
        assertEquals(List.of(asDir), listing());
    }

    private List<Path> listing() throws IOException {
        try (Stream<Path> s = Files.list(tmp)) {
            return s.sorted().toList();
        }
    }
}
