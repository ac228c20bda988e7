package io.moescope.app;

import io.moescope.backend.Backend;
import io.moescope.backend.BackendUnavailableException;
import io.moescope.backend.select.Backends;
import io.moescope.backend.CpuFallback;
import io.moescope.backend.DeviceMemoryLimit;
import io.moescope.backend.DeviceOutOfMemoryException;
import io.moescope.backend.profile.Profiler;
import io.moescope.backend.profile.ProfilingBackend;
import io.moescope.analysis.LoadedModel;
import java.io.PrintWriter;
import java.util.function.Function;
import picocli.CommandLine.Option;

/**
 * The options of every command that computes: where (--backend, --threads), how much device memory
 * to use and what to do when it runs out (--device-memory, --no-fallback), and whether to profile.
 * Mixed into a command with {@code @Mixin ComputeOptions compute;}, then
 * {@code compute.run(err, backend -> ...); compute.printProfile(err);}.
 */
final class ComputeOptions {
    @Option(names = "--backend", paramLabel = "NAME", defaultValue = "auto",
            description = "Where to compute: auto, java, opencl or ptx (default: ${DEFAULT-VALUE}, a GPU when one works, else java).")
    String backend;

    @Option(names = "--threads", paramLabel = "N", description = "CPU threads for the java backend (default: all cores).")
    Integer threads;

    @Option(names = "--profile", description = "After the run, print the time and bytes of every operation to stderr, slowest first.")
    boolean profile;

    @Option(names = "--device-memory", paramLabel = "SIZE",
            description = "Most device memory a GPU backend may use, e.g. 512m or 6g (default: what the device has; "
                    + "or the system property " + DeviceMemoryLimit.PROPERTY + ").")
    String deviceMemory;

    @Option(names = "--no-fallback", description = "When the GPU runs out of memory, fail (exit 2) instead of running on the CPU.")
    boolean noFallback;

    private Profiler profiler;

    /**
     * Runs the work on the backend asked for. When a GPU runs out of device memory, the work runs
     * again on the CPU after one warning line on {@code err}; under --no-fallback it fails instead.
     */
    <T> T run(PrintWriter err, Function<Backend, T> work) {
        try {
            return CpuFallback.run(this::open, this::openCpu, !noFallback, warnings(err), work);
        } catch (DeviceOutOfMemoryException e) {
            throw noFallback(e);
        }
    }

    /** Opens a model for analysis on the backend asked for, moving to the CPU as {@link #run} does. */
    LoadedModel openModel(java.nio.file.Path dir, PrintWriter err) {
        try {
            return LoadedModel.open(dir, open(), new LoadedModel.Fallback(!noFallback, threads(), warnings(err), this::profiled));
        } catch (DeviceOutOfMemoryException e) {
            throw noFallback(e);
        }
    }

    /** As {@link #run}'s failure says: exit 2, the numbers, and what to change. */
    static UserError noFallback(DeviceOutOfMemoryException e) {
        return new UserError(e.getMessage() + " (--no-fallback is set; without it the run moves to the CPU; or raise --device-memory)");
    }

    private static java.util.function.Consumer<String> warnings(PrintWriter err) {
        return line -> {
            io.moescope.train.ProgressBar.endLine(err);
            err.println("moescope: warning: " + line);
            err.flush();
        };
    }

    /** Far more threads than any machine runs usefully; more only fails deep inside the thread pool. */
    static final int MAX_THREADS = 4096;

    /** Checks the options themselves, before any work: a bad one is refused at once with what to give instead. */
    void validate() {
        if (threads != null && (threads < 1 || threads > MAX_THREADS)) {
            throw new IllegalArgumentException("--threads must be between 1 and " + MAX_THREADS + ", got " + threads);
        }
        if (deviceMemory != null) parseDeviceMemory();
        if (!Backends.NAMES.contains(backend.strip().toLowerCase(java.util.Locale.ROOT))) {
            throw new IllegalArgumentException("--backend must be one of " + String.join(", ", Backends.NAMES) + ", got '" + backend + "'");
        }
    }

    /**
     * Refuses a run whose estimate does not fit, as inspect's does: Java's array limit always, the
     * free heap when the java backend holds the model (a GPU backend holds it in device memory).
     */
    void checkMemory(Backend b, java.nio.file.Path configFile, io.moescope.inspect.MemoryEstimate need) {
        io.moescope.inspect.RunLimits limits = io.moescope.inspect.RunLimits.current();
        if (!b.name().equals("java")) limits = new io.moescope.inspect.RunLimits(limits.maxTokens(), Long.MAX_VALUE);
        // The heap in use counts earlier work's garbage until a collection: look again before refusing.
        else if (need.total() > limits.memoryBytes()) limits = io.moescope.inspect.RunLimits.afterCollecting();
        limits.checkMemory(configFile, need);
    }

    /** Opens the backend asked for, wrapped in the profiler under --profile; the caller closes it. */
    Backend open() {
        validate();
        String limit = deviceMemory == null ? null : Long.toString(parseDeviceMemory());
        // The GPU backends read their budget as they open; the property is put back after, so that
        // one command's option does not outlive it in the same JVM (the tests run many).
        String before = System.getProperty(DeviceMemoryLimit.PROPERTY);
        Backend b;
        try {
            if (limit != null) System.setProperty(DeviceMemoryLimit.PROPERTY, limit);
            b = Backends.open(backend, threads());
        } catch (BackendUnavailableException e) {
            // Something to install, not a bug: exit 2 with the backend's own advice.
            throw new UserError(e.getMessage());
        } finally {
            if (limit != null) {
                if (before == null) System.clearProperty(DeviceMemoryLimit.PROPERTY);
                else System.setProperty(DeviceMemoryLimit.PROPERTY, before);
            }
        }
        return profiled(b);
    }

    private Backend openCpu() {
        return profiled(Backends.open("java", threads()));
    }

    private Backend profiled(Backend b) {
        if (!profile) return b;
        if (profiler == null) profiler = new Profiler();
        return new ProfilingBackend(b, profiler);
    }

    private int threads() {
        return threads == null ? 0 : threads;
    }

    private long parseDeviceMemory() {
        try {
            return DeviceMemoryLimit.parse(deviceMemory);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--device-memory: " + e.getMessage(), e);
        }
    }

    /** The profiler of the last {@link #open()}, or null without --profile. */
    Profiler profiler() {
        return profiler;
    }

    /** Prints the profile table under --profile; does nothing otherwise. */
    void printProfile(PrintWriter err) {
        if (profiler == null) return;
        err.print(profiler.snapshot().table());
        err.flush();
    }
}
