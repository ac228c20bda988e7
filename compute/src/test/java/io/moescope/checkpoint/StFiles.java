package io.moescope.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moescope.files.CheckpointException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.function.Executable;

/** Builds safetensors files byte by byte, so that tests can make every kind of malformed file. */
final class StFiles {
    private StFiles() {}

    /** Header JSON written with single quotes for readability. */
    static byte[] json(String singleQuoted) {
        return singleQuoted.replace('\'', '"').getBytes(StandardCharsets.UTF_8);
    }

    static Path raw(Path file, long declaredHeaderLength, byte[] header, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(declaredHeaderLength).put(header).put(data);
        return write(file, b.array());
    }

    static Path raw(Path file, String singleQuotedHeader, byte[] data) {
        byte[] h = json(singleQuotedHeader);
        return raw(file, h.length, h, data);
    }

    static Path write(Path file, byte[] bytes) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            return Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] f32(float... v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) b.putFloat(x);
        return b.array();
    }

    static byte[] i64(long... v) {
        ByteBuffer b = ByteBuffer.allocate(8 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (long x : v) b.putLong(x);
        return b.array();
    }

    static byte[] u16(int... v) {
        ByteBuffer b = ByteBuffer.allocate(2 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int x : v) b.putShort((short) x);
        return b.array();
    }

    static byte[] u8(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) b[i] = (byte) v[i];
        return b;
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) n += p.length;
        ByteBuffer b = ByteBuffer.allocate(n);
        for (byte[] p : parts) b.put(p);
        return b.array();
    }

    /** A model folder with a minimal config.json. */
    static Path modelDir(Path dir) {
        write(dir.resolve("config.json"), "{\"model_type\": \"test\"}".getBytes(StandardCharsets.UTF_8));
        return dir;
    }

    /**
     * Asserts a CheckpointException whose file is {@code file}, whose message names it, contains
     * {@code phrase}, and is a single line.
     */
    static CheckpointException assertRefused(Path file, String phrase, Executable action) {
        CheckpointException e = assertThrows(CheckpointException.class, action);
        assertEquals(file, e.file(), e.getMessage());
        assertTrue(e.getMessage().contains(file.toString()), () -> "message does not name " + file + ": " + e.getMessage());
        assertTrue(e.getMessage().contains(phrase), () -> "expected \"" + phrase + "\" in: " + e.getMessage());
        assertFalse(e.getMessage().contains("\n"), () -> "multi-line message: " + e.getMessage());
        assertFalse(e.getMessage().contains("Exception"), () -> "stack-trace-ish message: " + e.getMessage());
        return e;
    }
}
