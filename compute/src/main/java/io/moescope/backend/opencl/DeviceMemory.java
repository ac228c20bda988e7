package io.moescope.backend.opencl;

import static org.jocl.CL.*;

import io.moescope.backend.DeviceMemoryLimit;
import io.moescope.backend.DeviceMemoryUse;
import io.moescope.backend.DeviceOutOfMemoryException;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
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
 *
 * <p>Freed buffers are kept by exact size and handed out again: a forward pass asks for the same
 * sizes layer after layer, and on NVIDIA a fresh buffer is allocated lazily at its first launch and
 * a release frees device memory, each a costly driver call per operation. Reuse is safe on the one
 * in-order queue: a later command that gets the buffer runs after every earlier one that used it.
 * Cached buffers count towards the budget and the limit, and are given back to the driver before
 * either would be exceeded (a release of a buffer queued commands still use waits for them, as
 * OpenCL defines it).
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
    private final AtomicLong peak = new AtomicLong();
    private final Map<Long, ArrayDeque<cl_mem>> cache = new HashMap<>();
    private long cachedBytes;
    private boolean closed;

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
        cl_mem cached = cached(size);
        if (cached != null) return cached;
        if (live.get() + size > budget) {
            reclaim(size);   // tensors the collector finds come back into the cache, perhaps one of this size
            cached = cached(size);
            if (cached != null) return cached;
        }
        if (live.get() + cachedBytes() + size > budget) trim();
        if (live.get() + size > limit) throw outOfMemory(size, null);
        cl_mem mem;
        try {
            mem = clCreateBuffer(context, CL_MEM_READ_WRITE, size, null, null);
        } catch (CLException e) {
            if (!isOutOfMemory(e)) throw e;
            trim();
            reclaim(size);
            try {
                mem = clCreateBuffer(context, CL_MEM_READ_WRITE, size, null, null);
            } catch (CLException again) {
                if (!isOutOfMemory(again)) throw again;
                throw outOfMemory(size, again);
            }
        }
        held(size);
        return mem;
    }

    /** The typed failure, with the numbers: what was asked, what is held, and the limit in force. */
    DeviceOutOfMemoryException outOfMemory(long bytes, Throwable cause) {
        return new DeviceOutOfMemoryException("opencl", deviceName, bytes, live.get(), Math.min(limit, globalMemory), cause);
    }

    private synchronized cl_mem cached(long size) {
        ArrayDeque<cl_mem> q = cache.get(size);
        if (q == null || q.isEmpty()) return null;
        cachedBytes -= size;
        held(size);
        return q.pop();
    }

    private void held(long size) {
        long now = live.addAndGet(size);
        peak.accumulateAndGet(now, Math::max);
    }

    /** Live, cached and peak bytes. */
    DeviceMemoryUse use() {
        return new DeviceMemoryUse(live.get(), cachedBytes(), peak.get());
    }

    private synchronized long cachedBytes() {
        return cachedBytes;
    }

    /** Takes a buffer back for reuse; may run on the Cleaner's thread, so it makes no OpenCL call until closed. */
    void free(cl_mem mem, long bytes) {
        long size = Math.max(bytes, 4);
        synchronized (this) {
            live.addAndGet(-size);
            if (!closed) {
                cache.computeIfAbsent(size, s -> new ArrayDeque<>()).push(mem);
                cachedBytes += size;
                return;
            }
        }
        clReleaseMemObject(mem);
    }

    /** Gives every cached buffer back to the driver. */
    synchronized void trim() {
        for (ArrayDeque<cl_mem> q : cache.values()) q.forEach(org.jocl.CL::clReleaseMemObject);
        cache.clear();
        cachedBytes = 0;
    }

    /** Before the context goes: the cache is emptied and buffers freed later go straight back to the driver. */
    synchronized void close() {
        closed = true;
        trim();
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
