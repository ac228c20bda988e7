package io.moescope.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A float32 tensor in row-major order, backed by a memory segment so that float32 checkpoint
 * weights are used straight from the memory-mapped file, without a copy onto the heap.
 */
public record FloatTensor(MemorySegment segment, long[] shape) {

    /** Little-endian, as safetensors stores it; unaligned because safetensors offsets need not be. */
    public static final ValueLayout.OfFloat LAYOUT =
            ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    public FloatTensor {
        long n = 1;
        for (long d : shape) n = Math.multiplyExact(n, d);
        if (segment.byteSize() != n * 4) {
            throw new IllegalArgumentException("segment of " + segment.byteSize() + " bytes for shape " + Arrays.toString(shape));
        }
        shape = shape.clone();
    }

    public static FloatTensor of(float[] values, long... shape) {
        MemorySegment seg = Arena.ofAuto().allocate((long) values.length * 4, 4);
        MemorySegment.copy(values, 0, seg, LAYOUT, 0, values.length);
        return new FloatTensor(seg, shape);
    }

    public float get(long index) {
        return segment.getAtIndex(LAYOUT, index);
    }

    public long size() {
        return segment.byteSize() / 4;
    }

    public int rank() {
        return shape.length;
    }

    public int dim(int i) {
        return Math.toIntExact(shape[i]);
    }

    /** Copies row {@code row} of a 2-D tensor into dst, e.g. an embedding lookup. */
    public void copyRow(int row, float[] dst, int dstOffset) {
        int cols = dim(1);
        MemorySegment.copy(segment, LAYOUT, (long) row * cols * 4, dst, dstOffset, cols);
    }

    /** The sub-tensor at index i of the first dimension, without a copy. */
    public FloatTensor slice(int i) {
        long inner = size() / shape[0];
        return new FloatTensor(segment.asSlice(i * inner * 4, inner * 4), Arrays.copyOfRange(shape, 1, shape.length));
    }

    /** Rows [from, to) of the first dimension, without a copy. */
    public FloatTensor rows(int from, int to) {
        long inner = size() / shape[0];
        long[] s = shape.clone();
        s[0] = to - from;
        return new FloatTensor(segment.asSlice(from * inner * 4, (to - from) * inner * 4), s);
    }

    public float[] toArray() {
        float[] out = new float[Math.toIntExact(size())];
        MemorySegment.copy(segment, LAYOUT, 0, out, 0, out.length);
        return out;
    }
}
