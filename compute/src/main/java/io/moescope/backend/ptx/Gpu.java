package io.moescope.backend.ptx;

import io.moescope.backend.Tensor;
import java.lang.foreign.MemorySegment;

/** What every group of operations needs from the device: allocation, launches with the usual grid shapes, copies. */
final class Gpu {
    static final int BLOCK = 256;

    final PtxRuntime rt;

    Gpu(PtxRuntime rt) {
        this.rt = rt;
    }

    static PtxTensor t(Tensor x) {
        if (x instanceof PtxTensor p) return p;
        throw new IllegalArgumentException("the ptx backend was given a tensor of another backend: " + (x == null ? "null" : x.getClass().getSimpleName()));
    }

    /** Like {@link #t} but null stays null (optional operands). */
    static PtxTensor orNull(Tensor x) {
        return x == null ? null : t(x);
    }

    PtxTensor floats(int... shape) {
        rt.bind();
        return PtxTensor.allocate(rt.pool, false, shape);
    }

    PtxTensor ints(int... shape) {
        rt.bind();
        return PtxTensor.allocate(rt.pool, true, shape);
    }

    /** n doubles of scratch (a float tensor of twice the length; only kernels read it). */
    PtxTensor doubles(long n) {
        return floats(Math.toIntExact(2 * Math.max(1, n)));
    }

    /** Copies host values (a heap or native segment of floats or ints) into a new device tensor. */
    PtxTensor upload(MemorySegment values, boolean isInt, int... shape) {
        PtxTensor t = isInt ? ints(shape) : floats(shape);
        if (values.byteSize() != t.bytes()) {
            t.close();
            throw new IllegalArgumentException(values.byteSize() / 4 + " values for shape " + Tensor.describe(shape));
        }
        // a pageable copy waits for queued work anyway; waiting first keeps the critical call short
        rt.cu.synchronize();
        if (t.bytes() > 0) rt.cu.copyToDevice(t.ptr(), values, t.bytes());
        return t;
    }

    PtxTensor upload(float[] values, int... shape) {
        return upload(MemorySegment.ofArray(values), false, shape);
    }

    /** 64-bit values (device addresses) in a tensor of twice as many ints. */
    PtxTensor uploadLongs(long[] values) {
        return upload(MemorySegment.ofArray(values), true, 2 * values.length);
    }

    void launch(String kernel, long gx, long gy, long gz, int block, int sharedBytes, Object... args) {
        rt.bind();
        rt.launcher.launch(kernel, gx, gy, gz, block, sharedBytes, args);
    }

    /** A grid-stride kernel over n items: enough blocks to fill the device, no more. */
    void elementwise(String kernel, long n, Object... args) {
        long blocks = Math.min((n + BLOCK - 1) / BLOCK, (long) rt.multiprocessors * 16);
        launch(kernel, blocks, 1, 1, BLOCK, 0, args);
    }

    /** A kernel with one warp per row, eight rows a block. */
    void perWarp(String kernel, long rows, Object... args) {
        launch(kernel, (rows + 7) / 8, 1, 1, BLOCK, 0, args);
    }

    void fill(PtxTensor x, float value) {
        rt.bind();
        if (x.size() > 0) rt.cu.fill32(x.ptr(), Float.floatToRawIntBits(value), x.size());
    }

    /** Reads one double that a kernel left at the start of t. */
    double downloadDouble(PtxTensor t) {
        rt.bind();
        double[] out = new double[1];
        rt.cu.synchronize();
        rt.cu.copyToHost(MemorySegment.ofArray(out), t.ptr(), 8);
        return out[0];
    }

    static boolean aligned(long address) {
        return (address & 15) == 0;
    }

    static int ceil(long a, long b) {
        return Math.toIntExact((a + b - 1) / b);
    }
}
