package io.moescope.checkpoint;

import io.moescope.tensor.FloatTensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A weight as the checkpoint stores it: its mapped bytes in F32, F16, BF16, or F8_E4M3 with
 * DeepSeek-V3's 128x128 block scales, widened to float32 only where a backend reads it (widening is
 * exact). Nothing is read until then: the mapping pages a tensor in on first use, and the
 * checkpoint's NaN/Inf check of the tensor runs then too, once ({@code firstUse}).
 */
public final class StoredWeight {
    private final String name;
    private final MemorySegment bytes;
    private final DType dtype;
    private final long[] shape;
    /** F8_E4M3 only: one float per 128 x 128 block, [ceil(rows/128), ceil(cols/128)]; else null. */
    private final FloatTensor blockScales;
    private final Runnable firstUse;
    private final AtomicBoolean used = new AtomicBoolean();

    StoredWeight(String name, MemorySegment bytes, DType dtype, long[] shape, FloatTensor blockScales, Runnable firstUse) {
        if (!dtype.isFloat()) throw new IllegalArgumentException(name + ": " + dtype + " is not a float format");
        this.name = name;
        this.bytes = bytes;
        this.dtype = dtype;
        this.shape = shape.clone();
        this.blockScales = blockScales;
        this.firstUse = firstUse;
        if (bytes.byteSize() != elements() * dtype.bytes()) {
            throw new IllegalArgumentException(name + ": " + bytes.byteSize() + " bytes for " + Arrays.toString(shape) + " " + dtype);
        }
    }

    /** Float32 values held elsewhere (generated weights, tests): no checkpoint behind them. */
    public static StoredWeight of(String name, FloatTensor t) {
        return new StoredWeight(name, t.segment(), DType.F32, t.shape(), null, () -> { });
    }

    public String name() {
        return name;
    }

    public DType dtype() {
        return dtype;
    }

    public long[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    public int dim(int i) {
        return Math.toIntExact(shape[i]);
    }

    public long elements() {
        long n = 1;
        for (long d : shape) n = Math.multiplyExact(n, d);
        return n;
    }

    /** Bytes as stored (the scales of F8 not counted: they are a float per 16384 values). */
    public long storedBytes() {
        return bytes.byteSize();
    }

    /** Stored as float32: {@link #asFloat32()} is the mapping itself, no copy. */
    public boolean isFloat32() {
        return dtype == DType.F32;
    }

    /**
     * The mapped float32 values themselves; only for {@link #isFloat32()}. Reading them is a use:
     * a caller that takes them now to read later calls {@link #used()} when it does.
     */
    public FloatTensor asFloat32() {
        if (!isFloat32()) throw new IllegalStateException(name + " is stored as " + dtype + ", not F32");
        return new FloatTensor(bytes, shape);
    }

    /** All values as float32: the mapping for F32, a widened off-heap copy otherwise. */
    public FloatTensor toFloat32() {
        if (isFloat32()) {
            used();
            return asFloat32();
        }
        long n = elements();
        MemorySegment out = Arena.ofAuto().allocate(n * 4, 4);
        float[] chunk = new float[(int) Math.min(n, 1 << 16)];
        for (long from = 0; from < n; from += chunk.length) {
            int len = (int) Math.min(chunk.length, n - from);
            widen(from, chunk, 0, len);
            MemorySegment.copy(chunk, 0, out, FloatTensor.LAYOUT, from * 4, len);
        }
        return new FloatTensor(out, shape);
    }

    /**
     * Widens elements [from, from + count) in row-major order into dst[off ...]. Thread-safe: many
     * threads pack panels of one weight at once.
     */
    public void widen(long from, float[] dst, int off, int count) {
        used();
        switch (dtype) {
            case F32 -> MemorySegment.copy(bytes, FloatTensor.LAYOUT, from * 4, dst, off, count);
            case BF16 -> { for (int i = 0; i < count; i++) dst[off + i] = FloatFormats.bf16(bytes.getAtIndex(FloatFormats.SHORT_LE, from + i)); }
            case F16 -> { for (int i = 0; i < count; i++) dst[off + i] = FloatFormats.f16(bytes.getAtIndex(FloatFormats.SHORT_LE, from + i)); }
            case F8_E4M3 -> widenE4m3(from, dst, off, count);
            default -> throw new IllegalStateException(dtype + " is not a float format");
        }
    }

    private void widenE4m3(long from, float[] dst, int off, int count) {
        if (blockScales == null) {
            for (int i = 0; i < count; i++) dst[off + i] = FloatFormats.e4m3(bytes.get(ValueLayout.JAVA_BYTE, from + i));
            return;
        }
        long cols = shape[1];
        long scaleCols = blockScales.shape()[1];
        for (int i = 0; i < count; i++) {
            long at = from + i;
            float s = blockScales.get((at / cols / Fp8BlockScales.BLOCK) * scaleCols + (at % cols) / Fp8BlockScales.BLOCK);
            dst[off + i] = FloatFormats.e4m3(bytes.get(ValueLayout.JAVA_BYTE, at)) * s;
        }
    }

    /** The weight is being read: the first time, its checkpoint checks it for NaN/Inf. Cheap after that. */
    public void used() {
        if (!used.get() && used.compareAndSet(false, true)) firstUse.run();
    }

    @Override
    public String toString() {
        return name + " " + Arrays.toString(shape) + " " + dtype;
    }
}
