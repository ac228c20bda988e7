package io.moescope.backend.opencl;

import io.moescope.backend.DeviceTensor;
import org.jocl.cl_mem;

/** A tensor in an OpenCL buffer. */
public final class OpenClTensor extends DeviceTensor<DeviceBuffer> {

    private OpenClTensor(DeviceBuffer buffer, int[] shape, boolean isInt) {
        super(buffer, shape, isInt);
    }

    static OpenClTensor allocate(DeviceMemory memory, boolean isInt, int... shape) {
        return new OpenClTensor(new DeviceBuffer(memory, bytesFor(shape)), shape, isInt);
    }

    /** The tensor as this backend's own; the op classes take any {@link io.moescope.backend.Tensor} and check here. */
    static OpenClTensor of(io.moescope.backend.Tensor t) {
        if (t instanceof OpenClTensor o) return o;
        throw new IllegalArgumentException("not an OpenCL tensor: " + (t == null ? "null" : t.getClass().getName()));
    }

    /** The same buffer under another shape of equal size. */
    OpenClTensor view(int... newShape) {
        return new OpenClTensor(bufferForView(newShape), newShape, isInt());
    }

    cl_mem mem() {
        return buffer().mem();
    }

    /** Size in elements as an int: kernels index activations with 32-bit ints. */
    int count() {
        return Math.toIntExact(size());
    }
}
