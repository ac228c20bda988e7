package io.moescope.backend.opencl;

import io.moescope.backend.Tensor;
import java.lang.ref.Cleaner;
import org.jocl.cl_mem;

/**
 * A tensor in an OpenCL buffer. close() frees the device memory at once; a tensor that is
 * dropped without closing frees it when collected, through a Cleaner.
 */
public final class OpenClTensor implements Tensor {
    private static final Cleaner CLEANER = Cleaner.create();

    private final DeviceBuffer buffer;
    private final int[] shape;
    private final boolean isInt;
    private final Cleaner.Cleanable cleanable;
    private volatile boolean closed;

    private OpenClTensor(DeviceBuffer buffer, int[] shape, boolean isInt) {
        this.buffer = buffer;
        this.shape = shape.clone();
        this.isInt = isInt;
        this.cleanable = CLEANER.register(this, buffer::release);
    }

    static OpenClTensor allocate(DeviceMemory memory, boolean isInt, int... shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in shape " + Tensor.describe(shape));
            n *= d;
        }
        return new OpenClTensor(new DeviceBuffer(memory, n * 4), shape, isInt);
    }

    /** The same buffer under another shape of equal size. */
    OpenClTensor view(int... newShape) {
        long n = 1;
        for (int d : newShape) n *= d;
        if (n != size()) {
            throw new IllegalArgumentException("cannot reshape " + Tensor.describe(shape) + " to " + Tensor.describe(newShape));
        }
        buffer.retain();
        return new OpenClTensor(buffer, newShape, isInt);
    }

    cl_mem mem() {
        if (closed) throw new IllegalStateException("tensor " + Tensor.describe(shape) + " used after close()");
        return buffer.mem();
    }

    /** Size in elements as an int: kernels index activations with 32-bit ints. */
    int count() {
        return Math.toIntExact(size());
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
        return "OpenClTensor" + Tensor.describe(shape) + (isInt ? " int" : "");
    }
}
