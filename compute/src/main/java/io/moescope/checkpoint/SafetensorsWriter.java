package io.moescope.checkpoint;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.moescope.files.CheckpointException;
import io.moescope.tensor.FloatTensor;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import io.moescope.files.AtomicFiles;
import io.moescope.files.InFlightFiles;
import io.moescope.files.IoProblems;
import io.moescope.files.OutputGuard;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes float32/int32 tensors as a safetensors file, atomically: readers see either the old file
 * or the complete new one, never a partial write. The temporary file is deleted on failure, and by
 * a shutdown hook when the JVM is stopped mid-write (see {@link InFlightFiles}).
 */
public final class SafetensorsWriter {
    private SafetensorsWriter() {}

    private static final int CHUNK_ELEMENTS = 1 << 14;

    /**
     * One tensor's bytes, produced in chunks so that large tensors need no second full-size buffer.
     * {@link #writeTo} must write exactly {@link #byteSize()} bytes: the header has promised them.
     */
    public interface Source {
        String name();
        DType dtype();
        long[] shape();
        long byteSize();
        void writeTo(FileChannel ch) throws IOException;
    }

    /**
     * @param tensors  written in list order, offsets contiguous
     * @param metadata the {@code __metadata__} map; may be empty or null
     * @throws CheckpointException naming the file if it cannot be written
     */
    public static void write(Path file, List<TensorData> tensors, Map<String, String> metadata) {
        List<Source> sources = new ArrayList<>();
        for (TensorData t : tensors) sources.add(heap(t));
        writeSources(file, sources, metadata);
    }

    /** The same for float32 tensors already off-heap (e.g. computed results), in map iteration order. */
    public static void writeFloats(Path file, Map<String, FloatTensor> tensors, Map<String, String> metadata) {
        List<Source> sources = new ArrayList<>();
        for (Map.Entry<String, FloatTensor> e : tensors.entrySet()) sources.add(segment(e.getKey(), e.getValue()));
        writeSources(file, sources, metadata);
    }

    /**
     * Tensors that produce their own bytes in any stored dtype (e.g. generated weights), written
     * in list order without ever holding one whole.
     */
    public static void writeStreamed(Path file, List<Source> sources, Map<String, String> metadata) {
        writeSources(file, sources, metadata);
    }

    private static void writeSources(Path file, List<Source> sources, Map<String, String> metadata) {
        byte[] header = header(sources, metadata);
        Path dir = file.toAbsolutePath().getParent();
        if (dir == null || !Files.isDirectory(dir)) throw new CheckpointException(file, "cannot write: the folder does not exist");
        OutputGuard.check(file);
        Path tmp = null;
        try {
            tmp = InFlightFiles.create(file);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, header.length);
                writeFully(ch, len);
                writeFully(ch, ByteBuffer.wrap(header));
                for (Source s : sources) {
                    long before = ch.position();
                    s.writeTo(ch);
                    if (ch.position() - before != s.byteSize()) {
                        throw new IllegalStateException(s.name() + ": wrote " + (ch.position() - before) + " bytes, header says " + s.byteSize());
                    }
                }
                ch.force(true);
            }
            AtomicFiles.moveIntoPlace(tmp, file);
        } catch (IOException e) {
            deleteQuietly(tmp);
            throw new CheckpointException(file, "cannot write: " + IoProblems.describe(e), e);
        } catch (RuntimeException | Error e) {
            deleteQuietly(tmp);
            throw e;
        } finally {
            // Only now: until the move, a shutdown must find the temporary file to delete it.
            if (tmp != null) InFlightFiles.remove(tmp);
        }
    }

    /** Padded with spaces to a multiple of 8, as the reference writer does, so the data starts aligned. */
    private static byte[] header(List<Source> sources, Map<String, String> metadata) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode m = root.putObject("__metadata__");
            metadata.forEach(m::put);
        }
        Set<String> names = new HashSet<>();
        long offset = 0;
        for (Source s : sources) {
            if (s.name().equals("__metadata__") || !names.add(s.name())) {
                throw new IllegalArgumentException("duplicate or reserved tensor name: " + s.name());
            }
            ObjectNode t = root.putObject(s.name());
            t.put("dtype", s.dtype().name());
            var shape = t.putArray("shape");
            for (long d : s.shape()) shape.add(d);
            t.putArray("data_offsets").add(offset).add(offset + s.byteSize());
            offset += s.byteSize();
        }
        byte[] json = root.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        byte[] out = new byte[padded];
        System.arraycopy(json, 0, out, 0, json.length);
        for (int i = json.length; i < padded; i++) out[i] = ' ';
        return out;
    }

    private static Source heap(TensorData t) {
        return new Source() {
            public String name() { return t.name(); }
            public DType dtype() { return t.dtype(); }
            public long[] shape() { return t.shape(); }
            public long byteSize() { return 4L * (t.floats() != null ? t.floats().length : t.ints().length); }

            public void writeTo(FileChannel ch) throws IOException {
                int n = t.floats() != null ? t.floats().length : t.ints().length;
                ByteBuffer buf = ByteBuffer.allocate(4 * CHUNK_ELEMENTS).order(ByteOrder.LITTLE_ENDIAN);
                for (int from = 0; from < n; from += CHUNK_ELEMENTS) {
                    int len = Math.min(CHUNK_ELEMENTS, n - from);
                    buf.clear();
                    if (t.floats() != null) buf.asFloatBuffer().put(t.floats(), from, len);
                    else buf.asIntBuffer().put(t.ints(), from, len);
                    buf.limit(4 * len);
                    writeFully(ch, buf);
                }
            }
        };
    }

    private static Source segment(String name, FloatTensor t) {
        return new Source() {
            public String name() { return name; }
            public DType dtype() { return DType.F32; }
            public long[] shape() { return t.shape(); }
            public long byteSize() { return t.segment().byteSize(); }

            public void writeTo(FileChannel ch) throws IOException {
                // FloatTensor segments are little-endian float32 already: copy bytes as they are.
                MemorySegment seg = t.segment();
                long step = 4L * CHUNK_ELEMENTS * 16;
                for (long from = 0; from < seg.byteSize(); from += step) {
                    writeFully(ch, seg.asSlice(from, Math.min(step, seg.byteSize() - from)).asByteBuffer());
                }
            }
        };
    }

    private static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) ch.write(buf);
    }

    /** The original failure is what the caller needs to see, not a failure to clean up. */
    private static void deleteQuietly(Path tmp) {
        InFlightFiles.deleteQuietly(tmp);
    }
}
