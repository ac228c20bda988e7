package io.moescope.backend.ptx;

import io.moescope.backend.DeviceTensor;

/** One allocation of the device pool, back to the pool when its last tensor lets go. */
final class DeviceBuffer extends DeviceTensor.Buffer {
    final long ptr;
    final long bytes;
    private final DevicePool pool;

    DeviceBuffer(DevicePool pool, long bytes) {
        this.pool = pool;
        this.bytes = bytes;
        this.ptr = pool.allocate(bytes);
    }

    @Override
    protected void free() {
        pool.release(ptr, bytes);
    }
}
