package io.moescope.backend.opencl;

import static org.jocl.CL.*;

import io.moescope.backend.DeviceMemoryLimit;
import io.moescope.backend.DeviceOutOfMemoryException;
import java.util.concurrent.atomic.AtomicLong;
import org.jocl.CLException;
import org.jocl.cl_context;
import org.jocl.cl_mem;

/**
 * Allocates device buffers and keeps count of the bytes alive. The models drop many
 * intermediate tensors without closing them; their device memory comes back only when the
 * garbage collector finds them, and the Java heap they take is too small to make it look. So
 * when the device fills up, we ask for a collection and give the cleaners a moment, as the JDK
 * does for direct buffers.
 *
 * <p>A budget the user set ({@link DeviceMemoryLimit}) is a hard limit; without one, 80% of the
 * device is only where collecting starts, and the driver's own refusal is the limit. Either way
 * running out ends in a {@link DeviceOutOfMemoryException}, never in a raw CLException.
 */
final class DeviceMemory {
    private static final long SETTLE_MILLIS = 500;

    private final cl_context context;
    private final String deviceName;
    private final long globalMemory;
    private final long budget;
    /** The user's limit, or Long.MAX_VALUE. */
    private final long limit;
    private final long maxAllocation;
    private final AtomicLong live = new AtomicLong();

    DeviceMemory(cl_context context, String deviceName, long globalMemory, long maxAllocation) {
        this.context = context;
        this.deviceName = deviceName;
        this.globalMemory = globalMemory;
        this.limit = DeviceMemoryLimit.current();
        this.budget = Math.min(globalMemory / 10 * 8, limit);
        this.maxAllocation = maxAllocation;
    }

    cl_mem allocate(long bytes) {
        if (bytes > maxAllocation) {
            throw new IllegalArgumentException("a tensor of " + bytes + " bytes exceeds this OpenCL device's largest buffer ("
                    + maxAllocation + " bytes)");
        }
        long size = Math.max(bytes, 4);   // OpenCL refuses empty buffers; empty tensors still need a handle
        if (live.get() + size > budget) reclaim(size);
        if (live.get() + size > limit) throw outOfMemory(size, null);
        cl_mem mem;
        try {
            mem = clCreateBuffer(context, CL_MEM_READ_WRITE, size, null, null);
        } catch (CLException e) {
            if (!isOutOfMemory(e)) throw e;
            reclaim(size);
            try {
                mem = clCreateBuffer(context, CL_MEM_READ_WRITE, size, null, null);
            } catch (CLException again) {
                if (!isOutOfMemory(again)) throw again;
                throw outOfMemory(size, again);
            }
        }
        live.addAndGet(size);
        return mem;
    }

    /** The typed failure, with the numbers: what was asked, what is held, and the limit in force. */
    DeviceOutOfMemoryException outOfMemory(long bytes, Throwable cause) {
        return new DeviceOutOfMemoryException("opencl", deviceName, bytes, live.get(), Math.min(limit, globalMemory), cause);
    }

    void free(cl_mem mem, long bytes) {
        clReleaseMemObject(mem);
        live.addAndGet(-Math.max(bytes, 4));
    }

    long liveBytes() {
        return live.get();
    }

    private void reclaim(long wanted) {
        long before = live.get();
        System.gc();
        long deadline = System.nanoTime() + SETTLE_MILLIS * 1_000_000;
        while (live.get() + wanted > budget && live.get() >= before && System.nanoTime() < deadline) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Allocation failures, which drivers may also report later, when a kernel or copy using the buffer is queued. */
    static boolean isOutOfMemory(CLException e) {
        int s = e.getStatus();
        return s == CL_MEM_OBJECT_ALLOCATION_FAILURE || s == CL_OUT_OF_RESOURCES || s == CL_OUT_OF_HOST_MEMORY;
    }
}
