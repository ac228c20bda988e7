package io.moescope.backend.profile;

/**
 * Where timings of operations go. {@link ProfilingBackend} feeds one from the host clock; a GPU
 * backend that can time its own kernels (OpenCL profiling events, CUDA events) may feed the same
 * recorder with device times instead, so that every backend's profile reads alike.
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

    /** Bytes copied from the host to the device (uploads). */
    void uploaded(long bytes);

    /** Bytes copied from the device back to the host (downloads). */
    void downloaded(long bytes);
}
