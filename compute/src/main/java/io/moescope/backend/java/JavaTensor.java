package io.moescope.backend.java;

import io.moescope.backend.Tensor;
import io.moescope.tensor.FloatTensor;
import java.lang.foreign.MemorySegment;
import java.lang.ref.SoftReference;

/**
 * A CPU tensor: a heap array for activations and trained parameters, or a segment of the
 * memory-mapped checkpoint for float32 weights (never copied).
 */
final class JavaTensor implements Tensor {
    final int[] shape;
    final float[] data;          // heap floats, or null
    final int[] ints;            // heap ints, or null
    final MemorySegment mapped;  // little-endian float32 outside the heap, or null
    /** The values repacked for the matrix product; shared by every view of the same heap array. */
    private final PanelCache cache;

    private JavaTensor(int[] shape, float[] data, int[] ints, MemorySegment mapped, PanelCache cache) {
        this.shape = shape.clone();
        this.data = data;
        this.ints = ints;
        this.mapped = mapped;
        this.cache = cache;
    }

    private JavaTensor(int[] shape, float[] data, int[] ints, MemorySegment mapped) {
        this(shape, data, ints, mapped, new PanelCache());
    }

    /** A tensor of this backend, as such. */
    static JavaTensor t(Tensor x) {
        return (JavaTensor) x;
    }

    /**
     * The heap values of a tensor we are about to change, its cached panels dropped: every change
     * in place goes through here. Mapped checkpoint weights are read-only.
     */
    static float[] writable(Tensor x, String op) {
        JavaTensor xt = t(x);
        if (xt.data == null) {
            throw new IllegalArgumentException(op + ": tensor " + Tensor.describe(xt.shape)
                    + " is not writable (a mapped checkpoint weight or an int tensor); upload a heap copy to change it");
        }
        xt.changed();
        return xt.data;
    }

    static JavaTensor of(float[] data, int... shape) {
        check(data.length, shape);
        return new JavaTensor(shape, data, null, null);
    }

    /** The same values under another shape, sharing the array and its cached panels. */
    JavaTensor view(int... shape) {
        check(size(), shape);
        return new JavaTensor(shape, data, ints, mapped, cache);
    }

    /**
     * This [N, K] weight as {@link WeightPanels}, packed on first use and kept while memory allows
     * (a soft reference: under memory pressure the collector drops them and the next call repacks).
     */
    WeightPanels panels() {
        int N = rows(), K = cols();
        SoftReference<WeightPanels> ref = cache.panels;
        WeightPanels p = ref == null ? null : ref.get();
        if (p == null || p.n != N || p.k != K) {
            p = WeightPanels.pack(segment(), N, K);
            cache.panels = new SoftReference<>(p);
        }
        return p;
    }

    /** Called before the values change in place: whatever was derived from them is stale. */
    void changed() {
        cache.panels = null;
    }

    private static final class PanelCache {
        volatile SoftReference<WeightPanels> panels;
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
