package io.moescope.backend.opencl;

import io.moescope.backend.DeviceTensor;
import org.jocl.cl_mem;

/** One OpenCL buffer, back to {@link DeviceMemory} when its last tensor lets go. */
final class DeviceBuffer extends DeviceTensor.Buffer {
    private final DeviceMemory memory;
    private final cl_mem mem;
    private final long bytes;

    DeviceBuffer(DeviceMemory memory, long bytes) {
        this.memory = memory;
        this.mem = memory.allocate(bytes);
        this.bytes = bytes;
    }

    cl_mem mem() {
        return mem;
    }

    @Override
    protected void free() {
        memory.free(mem, bytes);
    }
}
