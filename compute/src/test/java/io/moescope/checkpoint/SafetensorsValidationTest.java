package io.moescope.checkpoint;

import static io.moescope.checkpoint.StFiles.assertRefused;
import static io.moescope.checkpoint.StFiles.f32;
import static io.moescope.checkpoint.StFiles.raw;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moescope.files.CheckpointException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** One malformed input per test: each must fail at open, naming the file and the problem in one line. */
class SafetensorsValidationTest {
    @TempDir Path tmp;

    private Path file(String header, byte[] data) {
        return raw(tmp.resolve("bad.safetensors"), header, data);
    }

    private static void refused(Path f, String phrase) {
        assertRefused(f, phrase, () -> SafetensorsFile.open(f).close());
    }

    @Test
    void missingFile() {
        refused(tmp.resolve("nope.safetensors"), "file not found");
    }

    @Test
    void shorterThanEightBytes() {
        Path f = StFiles.write(tmp.resolve("short.safetensors"), new byte[] {1, 2, 3});
        refused(f, "truncated: 3 bytes");
    }

    @Test
    void emptyFile() {
        refused(StFiles.write(tmp.resolve("empty.safetensors"), new byte[0]), "truncated: 0 bytes");
    }

    @Test
    void headerCutShort() {
        byte[] h = StFiles.json("{'x':{'dtype':'F32','shape':[1],'data_offsets':[0,4]}}");
        byte[] cut = java.util.Arrays.copyOf(h, 20);
        Path f = raw(tmp.resolve("cut.safetensors"), h.length, cut, new byte[0]);
        refused(f, "truncated: header length " + h.length);
    }

    @Test
    void headerLengthBeyondFile() {
        Path f = raw(tmp.resolve("long.safetensors"), 1000, StFiles.json("{}"), new byte[10]);
        refused(f, "beyond the end of the file (20 bytes)");
    }

    @Test
    void headerOver100MbRefusedBeforeAllocating() {
        // The file is 10 bytes; allocating the declared header would need 200 MB.
        Path f = raw(tmp.resolve("huge.safetensors"), 200_000_000L, StFiles.json("{}"), new byte[0]);
        refused(f, "header of 200000000 bytes declared, more than the 100 MB limit");
    }

    @Test
    void headerLengthAboveSignedRange() {
        Path f = raw(tmp.resolve("u64.safetensors"), -1L, new byte[0], new byte[0]);
        refused(f, "18446744073709551615 bytes declared");
    }

    @Test
    void invalidJson() {
        refused(file("{'x': {'dtype': 'F32',", new byte[0]), "invalid header JSON");
    }

    @Test
    void emptyHeader() {
        refused(raw(tmp.resolve("e.safetensors"), 0, new byte[0], new byte[0]), "invalid header JSON: empty");
    }

    @Test
    void headerNotAnObject() {
        refused(file("[1, 2]", new byte[0]), "header is not a JSON object");
    }

    @Test
    void duplicateTensorName() {
        refused(file("{'x':{'dtype':'F32','shape':[1],'data_offsets':[0,4]},"
                + "'x':{'dtype':'F32','shape':[1],'data_offsets':[4,8]}}", f32(1, 2)), "key \"x\" appears twice");
    }

    @Test
    void entryNotAnObject() {
        refused(file("{'x': 3}", new byte[0]), "tensor x: header entry is not a JSON object");
    }

    @Test
    void entryWithoutDtype() {
        refused(file("{'x':{'shape':[1],'data_offsets':[0,4]}}", f32(1)), "tensor x: header entry has no \"dtype\"");
    }

    @Test
    void entryWithoutShape() {
        refused(file("{'x':{'dtype':'F32','data_offsets':[0,4]}}", f32(1)), "has no \"shape\"");
    }

    @Test
    void entryWithoutOffsets() {
        refused(file("{'x':{'dtype':'F32','shape':[1]}}", f32(1)), "has no \"data_offsets\"");
    }

    @Test
    void shapeNotIntegers() {
        refused(file("{'x':{'dtype':'F32','shape':[1.5],'data_offsets':[0,4]}}", f32(1)), "shape is not a list of integers");
    }

    @Test
    void unknownDtype() {
        refused(file("{'x':{'dtype':'F64','shape':[1],'data_offsets':[0,8]}}", new byte[8]),
                "tensor x: unknown dtype F64 (supported: F32, F16, BF16, F8_E4M3, I32, I64)");
    }

    @Test
    void negativeDimension() {
        refused(file("{'x':{'dtype':'F32','shape':[2,-3],'data_offsets':[0,0]}}", new byte[0]),
                "negative dimension -3 in shape [2, -3]");
    }

    @Test
    void dimensionProductOverflows() {
        refused(file("{'x':{'dtype':'F32','shape':[4294967296,4294967296],'data_offsets':[0,4]}}", f32(1)),
                "has too many elements");
    }

    @Test
    void byteSizeOverflowsAfterDtype() {
        // 2^62 elements fit a long, 2^62 * 4 bytes do not.
        refused(file("{'x':{'dtype':'F32','shape':[4611686018427387904],'data_offsets':[0,4]}}", f32(1)),
                "has too many elements");
    }

    @Test
    void offsetsOutOfRange() {
        refused(file("{'x':{'dtype':'F32','shape':[2],'data_offsets':[0,8]}}", f32(1)),
                "tensor x: data_offsets [0, 8] out of range of the 4-byte data buffer");
    }

    @Test
    void endBeforeBegin() {
        refused(file("{'x':{'dtype':'F32','shape':[1],'data_offsets':[8,4]}}", f32(1, 2)), "end before begin");
    }

    @Test
    void negativeOffsets() {
        refused(file("{'x':{'dtype':'F32','shape':[1],'data_offsets':[-4,0]}}", f32(1)), "negative data_offsets");
    }

    @Test
    void byteLengthNotMatchingShape() {
        refused(file("{'x':{'dtype':'F32','shape':[2,3],'data_offsets':[0,12]}}", f32(1, 2, 3)),
                "tensor x: 12 bytes for shape [2, 3] of F32 (24 expected)");
    }

    @Test
    void overlappingTensors() {
        refused(file("{'a':{'dtype':'F32','shape':[2],'data_offsets':[0,8]},"
                + "'b':{'dtype':'F32','shape':[2],'data_offsets':[4,12]}}", f32(1, 2, 3)),
                "tensors a and b overlap: bytes [0, 8) and [4, 12)");
    }

    @Test
    void holeBetweenTensors() {
        refused(file("{'a':{'dtype':'F32','shape':[1],'data_offsets':[0,4]},"
                + "'b':{'dtype':'F32','shape':[1],'data_offsets':[8,12]}}", f32(1, 2, 3)),
                "hole in the data buffer: bytes [4, 8)");
    }

    @Test
    void trailingBytesAfterLastTensor() {
        refused(file("{'a':{'dtype':'F32','shape':[1],'data_offsets':[0,4]}}", f32(1, 2)), "4 trailing bytes");
    }

    @Test
    void metadataMustBeStrings() {
        refused(file("{'__metadata__':{'n':3}}", new byte[0]), "__metadata__ value for \"n\" is not a string");
    }

    @ParameterizedTest
    @ValueSource(strings = {"pytorch_model.bin", "model.pt", "model.pth", "last.ckpt", "weights.pkl"})
    void pickleFilesRefused(String name) throws Exception {
        // Exists and even looks harmless: we must refuse by name, never unpickle.
        Path f = StFiles.write(tmp.resolve(name), new byte[] {(byte) 0x80, 2});
        CheckpointException e = assertRefused(f, "pickle", () -> SafetensorsFile.open(f));
        assertTrue(e.getMessage().contains("execute arbitrary code"));
        assertTrue(e.getMessage().contains("save_file"));
        assertTrue(e.getMessage().contains("safe_serialization=True"));
        assertEquals(2, Files.size(f));
    }
}
