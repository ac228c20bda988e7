package io.moescope.backend.ptx;

import java.util.concurrent.atomic.AtomicInteger;

/** One device allocation shared by a tensor and its reshaped views; back to the pool when the last lets go. */
final class DeviceBuffer {
    final long ptr;
    final long bytes;
    private final DevicePool pool;
    private final AtomicInteger refs = new AtomicInteger(1);

    DeviceBuffer(DevicePool pool, long bytes) {
        this.pool = pool;
        this.bytes = bytes;
        this.ptr = pool.allocate(bytes);
    }

    void retain() {
        if (refs.getAndIncrement() <= 0) throw new IllegalStateException("device buffer already released");
    }

    void release() {
        if (refs.decrementAndGet() == 0) pool.release(ptr, bytes);
    }
}
