package io.moescope.backend;

import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What happens when a GPU runs out of memory: the GPU backend is closed, so that its device memory
 * goes back, the work is redone on the CPU, and the user is told in one line. The command line and
 * the workbench both come through here ({@code LoadedModel} for the workbench), so they agree.
 */
public final class CpuFallback {
    private CpuFallback() {}

    /** The one line the user sees: "opencl: out of device memory (needed X MiB, limit Y MiB) — running on the CPU instead". */
    public static String notice(DeviceOutOfMemoryException e) {
        return e.summary() + " — running on the CPU instead";
    }

    /**
     * Runs {@code work} on the backend {@code open} gives and returns its result; both backends
     * this opens are closed before it returns.
     *
     * @param allowed  false: an out-of-memory is thrown as it is (the command line's --no-fallback)
     * @param cpu      opens the CPU backend to fall back to
     * @param notices  receives {@link #notice} once when falling back
     * @param work     must leave nothing on the backend that outlives it: it runs twice on a fallback
     * @throws DeviceOutOfMemoryException when the device is full and falling back is not allowed
     */
    public static <T> T run(Supplier<Backend> open, Supplier<Backend> cpu, boolean allowed, Consumer<String> notices,
                            Function<Backend, T> work) {
        DeviceOutOfMemoryException full;
        try (Backend gpu = open.get()) {
            return work.apply(gpu);
        } catch (DeviceOutOfMemoryException e) {
            if (!allowed) throw e;
            full = e;
        }
        releaseDevice();
        notices.accept(notice(full));
        try (Backend b = cpu.get()) {
            return work.apply(b);
        }
    }

    /**
     * Tensors dropped without close() give their device memory back only when the collector finds
     * them; after a failed pass there are many, and another user of the device (or a retry) wants it now.
     */
    public static void releaseDevice() {
        System.gc();
    }
}
