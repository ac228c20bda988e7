package io.moescope.backend.opencl;

import static org.jocl.CL.*;

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
 */
final class DeviceMemory {
    private static final long SETTLE_MILLIS = 500;

    private final cl_context context;
    private final long budget;
    private final long maxAllocation;
    private final AtomicLong live = new AtomicLong();

    DeviceMemory(cl_context context, long globalMemory, long maxAllocation) {
        this.context = context;
        this.budget = globalMemory / 10 * 8;
        this.maxAllocation = maxAllocation;
    }

    cl_mem allocate(long bytes) {
        if (bytes > maxAllocation) {
            throw new IllegalArgumentException("a tensor of " + bytes + " bytes exceeds this OpenCL device's largest buffer ("
                    + maxAllocation + " bytes)");
        }
        long size = Math.max(bytes, 4);   // OpenCL refuses empty buffers; empty tensors still need a handle
        if (live.get() + size > budget) reclaim(size);
        cl_mem mem;
        try {
            mem = clCreateBuffer(context, CL_MEM_READ_WRITE, size, null, null);
        } catch (CLException e) {
            if (!outOfMemory(e)) throw e;
            reclaim(size);
            mem = clCreateBuffer(context, CL_MEM_READ_WRITE, size, null, null);
        }
        live.addAndGet(size);
        return mem;
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

    private static boolean outOfMemory(CLException e) {
        int s = e.getStatus();
        return s == CL_MEM_OBJECT_ALLOCATION_FAILURE || s == CL_OUT_OF_RESOURCES || s == CL_OUT_OF_HOST_MEMORY;
    }
}
