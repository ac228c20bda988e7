package io.moescope.backend.profile;

/**
 * Where timings of operations go. {@link ProfilingBackend} feeds one from the host clock, or, on a
 * backend that times its own device work ({@link DeviceTimer}: OpenCL profiling events, CUDA
 * events), with calls and bytes as they happen and device times once the device has run them, so
 * that every backend's profile reads alike.
 */
public interface OpRecorder {

    /**
     * One call of an operation.
     *
     * @param op    the operation's name, as in {@link io.moescope.backend.Backend} (linear, attention, ...)
     * @param nanos how long it took
     * @param bytes bytes it read and wrote (inputs plus outputs)
     */
    void record(String op, long nanos, long bytes);

    /** Device time of calls of op recorded before (with 0 nanos), known once the device has run them. */
    void deviceTime(String op, long nanos);

    /** Bytes copied from the host to the device (uploads). */
    void uploaded(long bytes);

    /** Bytes copied from the device back to the host (downloads). */
    void downloaded(long bytes);
}
