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
        return backend + ": out of device memory (needed " + size(saturatingAdd(inUse, requested)) + ", limit " + size(limit) + ")";
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

    /** "64.0 KiB", "12.5 MiB", "3.2 GiB": one decimal in the largest unit that keeps a number of at least 1. */
    public static String size(long bytes) {
        if (bytes >= 1L << 30) return String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
        if (bytes >= 1L << 20) return String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1L << 20));
        return String.format(Locale.ROOT, "%.1f KiB", bytes / (double) (1L << 10));
    }

    private static long saturatingAdd(long a, long b) {
        return a > Long.MAX_VALUE - b ? Long.MAX_VALUE : a + b;
    }
}
