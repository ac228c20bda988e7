package io.moescope.backend.ptx;

import io.moescope.backend.DeviceTensor;
import io.moescope.backend.Tensor;

/** A tensor in CUDA device memory. */
final class PtxTensor extends DeviceTensor<DeviceBuffer> {

    private PtxTensor(DeviceBuffer buffer, int[] shape, boolean isInt) {
        super(buffer, shape, isInt);
    }

    static PtxTensor allocate(DevicePool pool, boolean isInt, int... shape) {
        return new PtxTensor(new DeviceBuffer(pool, bytesFor(shape)), shape, isInt);
    }

    /** The same storage under another shape of equal size. */
    PtxTensor view(int... newShape) {
        return new PtxTensor(bufferForView(newShape), newShape, isInt());
    }

    /** The device address of the first value. */
    long ptr() {
        return buffer().ptr;
    }

    long bytes() {
        return 4 * size();
    }
}
