package io.moescope.backend;

import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A tensor in a GPU backend's device memory: float32 or int32, row-major. {@link #close} gives its
 * memory back at once; a tensor nobody closes gives it back when collected, through a Cleaner.
 * Reshaped views share the tensor's {@link Buffer}, which is freed when the last of them lets go.
 */
public abstract class DeviceTensor<B extends DeviceTensor.Buffer> implements Tensor {
    private static final Cleaner CLEANER = Cleaner.create();

    private final B buffer;
    private final int[] shape;
    private final boolean isInt;
    private final Cleaner.Cleanable cleanable;
    private volatile boolean closed;

    protected DeviceTensor(B buffer, int[] shape, boolean isInt) {
        this.buffer = buffer;
        this.shape = shape.clone();
        this.isInt = isInt;
        // the action holds the buffer only, never the tensor, or the tensor could not become unreachable
        this.cleanable = CLEANER.register(this, buffer::release);
    }

    /** Bytes for a tensor of this shape at 4 bytes a value; rejects negative dimensions. */
    protected static long bytesFor(int[] shape) {
        long n = 4;
        for (int d : shape) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in shape " + Tensor.describe(shape));
            n *= d;
        }
        return n;
    }

    /** The buffer for a view of another shape of equal size, retained for it. */
    protected B bufferForView(int[] newShape) {
        if (bytesFor(newShape) != 4 * size()) {
            throw new IllegalArgumentException("cannot reshape " + Tensor.describe(shape) + " to " + Tensor.describe(newShape));
        }
        buffer.retain();
        return buffer;
    }

    /** The buffer, for launching work on it. */
    protected B buffer() {
        if (closed) throw new IllegalStateException("tensor " + Tensor.describe(shape) + " used after close()");
        return buffer;
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
        return getClass().getSimpleName() + Tensor.describe(shape) + (isInt ? " int" : "");
    }

    /**
     * One device allocation, shared by a tensor and its views, freed when the last of them is closed
     * or collected. Holds no reference to any tensor, so a Cleaner may own it.
     */
    public abstract static class Buffer {
        private final AtomicInteger users = new AtomicInteger(1);

        /** Gives the allocation back to whatever made it; called once, perhaps on the Cleaner's thread. */
        protected abstract void free();

        final void retain() {
            if (users.getAndIncrement() <= 0) throw new IllegalStateException("device buffer already freed");
        }

        final void release() {
            if (users.decrementAndGet() == 0) free();
        }
    }
}
