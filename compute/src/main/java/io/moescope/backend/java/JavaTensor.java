package io.moescope.backend.java;

import io.moescope.backend.Tensor;
import io.moescope.checkpoint.StoredWeight;
import io.moescope.tensor.FloatTensor;
import java.lang.foreign.MemorySegment;
import java.lang.ref.SoftReference;

/**
 * A CPU tensor: a heap array for activations and trained parameters, a segment of the
 * memory-mapped checkpoint for float32 weights (never copied), or a checkpoint weight in its stored
 * format (BF16, F16, F8_E4M3), widened only where it is read: into the panels of the matrix product,
 * a row at a time for an embedding lookup.
 */
final class JavaTensor implements Tensor {
    final int[] shape;
    final float[] data;          // heap floats, or null
    final int[] ints;            // heap ints, or null
    final MemorySegment mapped;  // little-endian float32 outside the heap, or null
    final StoredWeight stored;   // the checkpoint weight this is (mapped too if F32), or null
    /** The values repacked for the matrix product; shared by every view of the same heap array. */
    private final PanelCache cache;

    private JavaTensor(int[] shape, float[] data, int[] ints, MemorySegment mapped, StoredWeight stored, PanelCache cache) {
        this.shape = shape.clone();
        this.data = data;
        this.ints = ints;
        this.mapped = mapped;
        this.stored = stored;
        this.cache = cache;
    }

    private JavaTensor(int[] shape, float[] data, int[] ints, MemorySegment mapped) {
        this(shape, data, ints, mapped, null, new PanelCache());
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
        return new JavaTensor(shape, data, ints, mapped, stored, cache);
    }

    /**
     * This [N, K] weight as {@link WeightPanels}, packed (and widened from its stored format) on
     * first use and kept in the bounded {@link PanelBudget}, and while memory allows (a soft
     * reference: under memory pressure the collector drops them and the next call repacks).
     */
    WeightPanels panels() {
        int N = rows(), K = cols();
        SoftReference<WeightPanels> ref = cache.panels;
        WeightPanels p = ref == null ? null : ref.get();
        if (p == null || p.n != N || p.k != K) {
            p = narrow() ? WeightPanels.pack(stored::widen, N, K) : WeightPanels.pack(segment(), N, K);
            cache.panels = new SoftReference<>(p);
            PanelBudget.SHARED.kept(cache, 4L * p.panelCount() * p.width * K);
        } else {
            PanelBudget.SHARED.used(cache);
        }
        return p;
    }

    /** Called before the values change in place: whatever was derived from them is stale. */
    void changed() {
        cache.panels = null;
    }

    static JavaTensor ofInts(int[] data, int... shape) {
        check(data.length, shape);
        return new JavaTensor(shape, null, data, null);
    }

    static JavaTensor mapped(FloatTensor t) {
        return new JavaTensor(dims(t.shape()), null, null, t.segment());
    }

    /** A checkpoint weight as stored: float32 ones are used in place, others widened where read. */
    static JavaTensor stored(StoredWeight w) {
        return new JavaTensor(dims(w.shape()), null, null, w.isFloat32() ? w.asFloat32().segment() : null, w, new PanelCache());
    }

    /** A checkpoint weight stored narrower than float32 (BF16, F16, F8_E4M3): read only by widening. */
    boolean narrow() {
        return stored != null && !stored.isFloat32();
    }

    private static int[] dims(long[] shape) {
        int[] out = new int[shape.length];
        for (int i = 0; i < out.length; i++) out[i] = Math.toIntExact(shape[i]);
        return out;
    }

    private static void check(long n, int[] shape) {
        long want = 1;
        for (int d : shape) want *= d;
        if (want != n) throw new IllegalArgumentException(n + " values for shape " + Tensor.describe(shape));
    }

    /**
     * The values as a float32 segment: the mapping itself, a view of the heap array, or, for a
     * stored weight, a widened heap copy made for this call (paths that read a whole weight once,
     * such as backward's products; the forward pass reads stored weights through panels and rows).
     */
    MemorySegment segment() {
        if (mapped == null) return MemorySegment.ofArray(floats());
        if (stored != null) stored.used();
        return mapped;
    }

    /** Heap values, widening a mapped or stored tensor (used only for small tensors such as norms). */
    float[] floats() {
        if (data != null) return data;
        if (mapped != null) return new FloatTensor(segment(), new long[]{mapped.byteSize() / 4}).toArray();
        if (stored != null) {
            float[] out = new float[Math.toIntExact(stored.elements())];
            stored.widen(0, out, 0, out.length);
            return out;
        }
        throw new IllegalStateException("int tensor used as float");
    }

    /** Copies elements [from, from + count) in row-major order into dst, widening as needed. */
    void copy(long from, float[] dst, int off, int count) {
        if (data != null) System.arraycopy(data, (int) from, dst, off, count);
        else if (mapped != null) MemorySegment.copy(segment(), FloatTensor.LAYOUT, from * 4, dst, off, count);
        else if (stored != null) stored.widen(from, dst, off, count);
        else throw new IllegalStateException("int tensor used as float");
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
