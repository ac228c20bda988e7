package io.moescope.backend.opencl;

import java.util.concurrent.atomic.AtomicInteger;
import org.jocl.cl_mem;

/**
 * One device allocation, shared by a tensor and its reshaped views: freed when the last of them
 * is closed or collected. Holds no reference to any tensor, so a Cleaner may own it.
 */
final class DeviceBuffer {
    private final DeviceMemory memory;
    private final cl_mem mem;
    private final long bytes;
    private final AtomicInteger users = new AtomicInteger(1);

    DeviceBuffer(DeviceMemory memory, long bytes) {
        this.memory = memory;
        this.mem = memory.allocate(bytes);
        this.bytes = bytes;
    }

    cl_mem mem() {
        return mem;
    }

    long bytes() {
        return bytes;
    }

    void retain() {
        if (users.getAndIncrement() <= 0) throw new IllegalStateException("device buffer already freed");
    }

    void release() {
        if (users.decrementAndGet() == 0) memory.free(mem, bytes);
    }
}
