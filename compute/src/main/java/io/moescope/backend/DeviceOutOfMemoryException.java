package io.moescope.backend;

import java.util.Locale;

/**
 * A GPU backend ran out of device memory, or out of the budget the user gave it
 * ({@link DeviceMemoryLimit}). Every GPU backend throws this one type, so that the services can
 * release the device and redo the work on the CPU ({@link CpuFallback}) whatever the backend.
 *
 * @param backend        the backend's name (opencl, ptx)
 * @param device         the device's name
 * @param requestedBytes the allocation that failed
 * @param inUseBytes     device bytes held by live tensors when it failed
 * @param limitBytes     what this backend may use: the user's limit, else what the device offers
 */
public final class DeviceOutOfMemoryException extends RuntimeException {
    private final String backend, device;
    private final long requestedBytes, inUseBytes, limitBytes;

    public DeviceOutOfMemoryException(String backend, String device, long requestedBytes, long inUseBytes, long limitBytes,
                                      Throwable cause) {
        super(summary(backend, requestedBytes, inUseBytes, limitBytes) + " on " + device, cause);
        this.backend = backend;
        this.device = device;
        this.requestedBytes = requestedBytes;
        this.inUseBytes = inUseBytes;
        this.limitBytes = limitBytes;
    }

    /** "opencl: out of device memory (needed 80.0 MiB, limit 64.0 MiB)": needed counts what was held plus what was asked. */
    public String summary() {
        return summary(backend, requestedBytes, inUseBytes, limitBytes);
    }

    private static String summary(String backend, long requested, long inUse, long limit) {
        return backend + ": out of device memory (needed " + mib(saturatingAdd(inUse, requested)) + ", limit " + mib(limit) + ")";
    }

    public String backend() {
        return backend;
    }

    public String device() {
        return device;
    }

    public long requestedBytes() {
        return requestedBytes;
    }

    public long inUseBytes() {
        return inUseBytes;
    }

    public long limitBytes() {
        return limitBytes;
    }

    /** "12.5 MiB": one decimal, as the messages show sizes. */
    public static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1L << 20));
    }

    private static long saturatingAdd(long a, long b) {
        return a > Long.MAX_VALUE - b ? Long.MAX_VALUE : a + b;
    }
}
