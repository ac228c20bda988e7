package io.moescope.backend;

/**
 * A GPU backend's device memory, in bytes: held by live tensors now, kept freed for reuse, and the
 * most live at once since the backend was opened.
 */
public record DeviceMemoryUse(long liveBytes, long cachedBytes, long peakBytes) {}
