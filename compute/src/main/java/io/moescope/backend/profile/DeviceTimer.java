package io.moescope.backend.profile;

import java.util.Map;

/**
 * A backend that times its own device work with device events (OpenCL profiling events, CUDA
 * events). {@link ProfilingBackend} then labels the work of each operation instead of stopping
 * the queue around it, so a profiled GPU run keeps host and device overlapped and each operation
 * is charged the time its kernels and copies ran on the device, not the time it took to queue them.
 */
public interface DeviceTimer {

    /**
     * Device work queued from now on counts to op, until the next call; null stops timing. Called
     * on the thread that queues the work.
     */
    void timeAs(String op);

    /**
     * Device nanoseconds per operation of the work timed since the last drain. Waits for the
     * device to finish it.
     */
    Map<String, Long> drainDeviceTimes();
}
