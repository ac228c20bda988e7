package io.moescope.backend.java;

import io.moescope.backend.Tensor;
import io.moescope.tensor.FloatTensor;
import java.lang.foreign.MemorySegment;

/**
 * A CPU tensor: a heap array for activations and trained parameters, or a segment of the
 * memory-mapped checkpoint for float32 weights (never copied).
 */
final class JavaTensor implements Tensor {
    final int[] shape;
    final float[] data;          // heap floats, or null
    final int[] ints;            // heap ints, or null
    final MemorySegment mapped;  // little-endian float32 outside the heap, or null

    private JavaTensor(int[] shape, float[] data, int[] ints, MemorySegment mapped) {
        this.shape = shape.clone();
        this.data = data;
        this.ints = ints;
        this.mapped = mapped;
    }

    static JavaTensor of(float[] data, int... shape) {
        check(data.length, shape);
        return new JavaTensor(shape, data, null, null);
    }

    static JavaTensor ofInts(int[] data, int... shape) {
        check(data.length, shape);
        return new JavaTensor(shape, null, data, null);
    }

    static JavaTensor mapped(FloatTensor t) {
        int[] shape = new int[t.rank()];
        for (int i = 0; i < shape.length; i++) shape[i] = t.dim(i);
        return new JavaTensor(shape, null, null, t.segment());
    }

    private static void check(long n, int[] shape) {
        long want = 1;
        for (int d : shape) want *= d;
        if (want != n) throw new IllegalArgumentException(n + " values for shape " + Tensor.describe(shape));
    }

    /** The values as a segment: the mapping itself, or a view of the heap array. */
    MemorySegment segment() {
        return mapped != null ? mapped : MemorySegment.ofArray(data);
    }

    /** Heap values, widening a mapped tensor (used only for small tensors such as norms). */
    float[] floats() {
        if (data != null) return data;
        if (mapped != null) return new FloatTensor(mapped, new long[]{mapped.byteSize() / 4}).toArray();
        throw new IllegalStateException("int tensor used as float");
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    @Override
    public boolean isInt() {
        return ints != null;
    }
}
