package io.moescope.checkpoint;

import io.moescope.files.CheckpointException;
import io.moescope.tensor.FloatTensor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;

/**
 * One memory-mapped .safetensors file. Tensor bytes stay in the mapping: float32 tensors are
 * handed out as slices of it, other dtypes are widened off-heap. Validated completely at open.
 */
public final class SafetensorsFile implements AutoCloseable {

    /** The reference implementation's limit; checked before the header is allocated. */
    public static final long MAX_HEADER_BYTES = 100_000_000L;

    private final Path file;
    private final Arena arena;
    private final MemorySegment mapping;
    private final SafetensorsHeader header;
    private volatile boolean closed;

    private SafetensorsFile(Path file, Arena arena, MemorySegment mapping, SafetensorsHeader header) {
        this.file = file;
        this.arena = arena;
        this.mapping = mapping;
        this.header = header;
    }

    /** @throws CheckpointException naming the file and its problem */
    public static SafetensorsFile open(Path file) {
        if (PickleRefusal.isPickle(file)) throw PickleRefusal.refuse(file);
        if (!Files.exists(file)) throw new CheckpointException(file, "file not found");
        if (!Files.isRegularFile(file)) throw new CheckpointException(file, "not a regular file");
        io.moescope.files.OutputGuard.protectFile(file);
        // Shared, so that a model loaded on one thread can be used and closed on another.
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) {
                throw new CheckpointException(file, "truncated: " + size + " bytes, too short for the 8-byte header length");
            }
            MemorySegment map = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            long n = map.get(FloatFormats.LONG_LE, 0);
            if (n < 0 || n > MAX_HEADER_BYTES) {
                throw new CheckpointException(file, "header of " + Long.toUnsignedString(n)
                        + " bytes declared, more than the 100 MB limit");
            }
            if (n > size - 8) {
                throw new CheckpointException(file, "truncated: header length " + n + " goes beyond the end of the file ("
                        + size + " bytes)");
            }
            byte[] json = map.asSlice(8, n).toArray(ValueLayout.JAVA_BYTE);
            SafetensorsHeader header = SafetensorsHeader.parse(file, json, 8 + n, size - 8 - n);
            return new SafetensorsFile(file, arena, map, header);
        } catch (IOException e) {
            arena.close();
            throw new CheckpointException(file, "cannot read: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    public Path file() {
        return file;
    }

    /** In header order. */
    public Map<String, TensorInfo> tensors() {
        return header.tensors();
    }

    /** @return null if absent */
    public TensorInfo info(String name) {
        return header.tensors().get(name);
    }

    public Map<String, String> metadata() {
        return header.metadata();
    }

    /** The tensor's raw bytes, a slice of the mapping: valid until {@link #close()}. */
    public MemorySegment bytes(String name) {
        TensorInfo t = require(name);
        return mapping.asSlice(t.begin(), t.byteSize());
    }

    /** Float32 view: the mapped slice itself for F32, otherwise a widened off-heap copy. */
    public FloatTensor floats(String name) {
        TensorInfo t = require(name);
        MemorySegment raw = bytes(name);
        return t.dtype() == DType.F32 ? new FloatTensor(raw, t.shape()) : FloatFormats.toFloat32(raw, t.dtype(), t.shape());
    }

    /** Values of an I32 or I64 tensor; I64 values must fit in an int. */
    public int[] ints(String name) {
        TensorInfo t = require(name);
        if (t.dtype() != DType.I32 && t.dtype() != DType.I64) {
            throw new CheckpointException(file, "tensor " + name + " is " + t.dtype() + ", expected an integer tensor (I32 or I64)");
        }
        long count = t.elementCount();
        if (count > Integer.MAX_VALUE - 8) {
            throw new CheckpointException(file, "tensor " + name + " has " + count + " elements, too many for an int array");
        }
        MemorySegment raw = bytes(name);
        int[] out = new int[(int) count];
        if (t.dtype() == DType.I32) {
            MemorySegment.copy(raw, FloatFormats.INT_LE, 0, out, 0, out.length);
            return out;
        }
        for (int i = 0; i < out.length; i++) {
            long v = raw.getAtIndex(FloatFormats.LONG_LE, i);
            if (v != (int) v) {
                throw new CheckpointException(file, "tensor " + name + ": I64 value " + v + " at index " + i + " does not fit in int32");
            }
            out[i] = (int) v;
        }
        return out;
    }

    private TensorInfo require(String name) {
        TensorInfo t = header.tensors().get(name);
        if (t == null) throw new CheckpointException(file, "tensor " + name + " missing");
        if (closed) throw new IllegalStateException(file + " is closed");
        return t;
    }

    /** Unmaps the file; slices and F32 views handed out become invalid. Idempotent. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            arena.close();
        }
    }
}
