package io.moescope.backend.ptx;

import io.moescope.backend.Tensor;
import java.lang.ref.Cleaner;

/**
 * A tensor in device memory: float32 or int32, row-major. {@link #close} returns its memory at once; a
 * tensor nobody closes returns it when collected.
 */
final class PtxTensor implements Tensor {
    private static final Cleaner CLEANER = Cleaner.create();

    private final DeviceBuffer buffer;
    private final int[] shape;
    private final boolean isInt;
    private final Cleaner.Cleanable cleanable;
    private volatile boolean closed;

    private PtxTensor(DeviceBuffer buffer, int[] shape, boolean isInt) {
        this.buffer = buffer;
        this.shape = shape.clone();
        this.isInt = isInt;
        // the action holds the buffer only, never the tensor, or the tensor could not become unreachable
        this.cleanable = CLEANER.register(this, buffer::release);
    }

    static PtxTensor allocate(DevicePool pool, boolean isInt, int... shape) {
        for (int d : shape) if (d < 0) throw new IllegalArgumentException("negative dimension in " + Tensor.describe(shape));
        return new PtxTensor(new DeviceBuffer(pool, 4 * count(shape)), shape, isInt);
    }

    static long count(int[] shape) {
        long n = 1;
        for (int d : shape) n *= d;
        return n;
    }

    /** The same storage under another shape of equal size. */
    PtxTensor view(int... newShape) {
        if (count(newShape) != size()) {
            throw new IllegalArgumentException("cannot reshape " + Tensor.describe(shape) + " to " + Tensor.describe(newShape));
        }
        buffer.retain();
        return new PtxTensor(buffer, newShape, isInt);
    }

    /** The device address of the first value. */
    long ptr() {
        if (closed) throw new IllegalStateException("tensor " + Tensor.describe(shape) + " used after close()");
        return buffer.ptr;
    }

    long bytes() {
        return 4 * size();
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    @Override
    public boolean isInt() {
        return isInt;
    }

    @Override
    public void close() {
        closed = true;
        cleanable.clean();
    }

    @Override
    public String toString() {
        return "PtxTensor" + Tensor.describe(shape) + (isInt ? " int" : "");
    }
}
