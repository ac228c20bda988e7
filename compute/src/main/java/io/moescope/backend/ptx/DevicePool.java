package io.moescope.backend.ptx;

import io.moescope.backend.DeviceMemoryLimit;
import io.moescope.backend.DeviceOutOfMemoryException;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * A caching allocator for device memory. cuMemFree waits for the whole device and cuMemAlloc is slow, so
 * released blocks are kept by size class and handed out again; every kernel runs on the one default
 * stream, so a block reused by a later launch is only touched after the earlier launches that used it.
 *
 * <p>Tensors the caller forgets come back through a Cleaner, which needs the Java heap to be collected;
 * the heap does not feel device memory, so after every {@code gcEvery} bytes of fresh allocations the
 * pool asks for a collection, and when the device is full it drops its cache and waits for the Cleaner.
 *
 * <p>A budget the user set ({@link DeviceMemoryLimit}, read again by every {@link PtxBackend#open}, as
 * the OpenCL backend reads it per context; the pool is the process's, so the latest open's applies)
 * bounds the blocks in use and cached together. Running out of it or of the device ends in a
 * {@link DeviceOutOfMemoryException}.
 */
final class DevicePool {
    private final CudaDriver cu;
    private final String deviceName;
    private final long totalMemory;
    /** The user's limit, or Long.MAX_VALUE. */
    private long limit;
    private final long gcEvery;
    private final Map<Long, ArrayDeque<Long>> free = new HashMap<>();
    private long cachedBytes, liveBytes, freshSinceGc, peakBytes;
    private boolean closed;

    DevicePool(CudaDriver cu, String deviceName, long totalMemory) {
        this.cu = cu;
        this.deviceName = deviceName;
        this.totalMemory = totalMemory;
        this.limit = DeviceMemoryLimit.current();
        this.gcEvery = Math.max(1L << 30, totalMemory / 8);
    }

    /** A new budget (Long.MAX_VALUE: none); blocks already in use over it stay until released. */
    synchronized void limit(long bytes) {
        limit = bytes;
        // cached blocks are handed out again without a look at the budget: keep them within it
        if (liveBytes + cachedBytes > limit) trim();
    }

    /** Sizes round up to one of 8 classes per power of two (at most 12.5% waste), 512 bytes at least. */
    static long sizeClass(long bytes) {
        if (bytes <= 512) return 512;
        long step = Long.highestOneBit(bytes - 1) >> 3;
        return (bytes + step - 1) / step * step;
    }

    synchronized long allocate(long bytes) {
        if (closed) throw new IllegalStateException("the ptx backend's device memory was released");
        long size = sizeClass(bytes);
        ArrayDeque<Long> q = free.get(size);
        if (q != null && !q.isEmpty()) {
            cachedBytes -= size;
            return taken(q.pop(), size);
        }
        if (freshSinceGc > gcEvery) {
            freshSinceGc = 0;
            System.gc();
        }
        long p = fresh(size);
        for (int attempt = 0; p == 0 && attempt < 20; attempt++) {
            // Full: return the cache to the driver, let the Cleaner bring back what callers forgot, retry.
            trim();
            if (attempt % 5 == 0) System.gc();
            try {
                wait(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            q = free.get(size);
            if (q != null && !q.isEmpty()) {
                cachedBytes -= size;
                return taken(q.pop(), size);
            }
            p = fresh(size);
        }
        if (p == 0) throw new DeviceOutOfMemoryException("ptx", deviceName, size, liveBytes, Math.min(limit, totalMemory), null);
        freshSinceGc += size;
        return taken(p, size);
    }

    /** A new block from the driver, or 0 when the device or the user's budget is full. */
    private long fresh(long size) {
        if (liveBytes + cachedBytes + size > limit) {
            trim();
            if (liveBytes + size > limit) return 0;
        }
        return cu.tryAlloc(size);
    }

    private long taken(long p, long size) {
        liveBytes += size;
        peakBytes = Math.max(peakBytes, liveBytes);
        return p;
    }

    /** Takes a block back for reuse; may be called from the Cleaner's thread, so makes no CUDA call. */
    synchronized void release(long ptr, long bytes) {
        long size = sizeClass(bytes);
        liveBytes -= size;
        if (closed) return;
        free.computeIfAbsent(size, s -> new ArrayDeque<>()).push(ptr);
        cachedBytes += size;
        notifyAll();
    }

    /** Frees every cached block (waits for the device first: a cached block may still be in use by a queued kernel). */
    synchronized void trim() {
        if (cachedBytes == 0) return;
        cu.synchronize();
        for (ArrayDeque<Long> q : free.values()) for (long p : q) cu.free(p);
        free.clear();
        cachedBytes = 0;
    }

    synchronized long liveBytes() {
        return liveBytes;
    }

    synchronized long cachedBytes() {
        return cachedBytes;
    }

    synchronized long peakBytes() {
        return peakBytes;
    }
}
