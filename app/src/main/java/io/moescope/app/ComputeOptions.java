package io.moescope.app;

import io.moescope.backend.Backend;
import io.moescope.backend.BackendUnavailableException;
import io.moescope.backend.Backends;
import io.moescope.backend.profile.Profiler;
import io.moescope.backend.profile.ProfilingBackend;
import java.io.PrintWriter;
import picocli.CommandLine.Option;

/**
 * The options of every command that computes: where (--backend, --threads) and whether to
 * profile. Mixed into a command with {@code @Mixin ComputeOptions compute;}, then
 * {@code try (Backend b = compute.open()) { ... } compute.printProfile(err);}.
 */
final class ComputeOptions {
    @Option(names = "--backend", paramLabel = "NAME", defaultValue = "auto",
            description = "Where to compute: auto, java, opencl or ptx (default: ${DEFAULT-VALUE}, a GPU when one works, else java).")
    String backend;

    @Option(names = "--threads", paramLabel = "N", description = "CPU threads for the java backend (default: all cores).")
    Integer threads;

    @Option(names = "--profile", description = "After the run, print the time and bytes of every operation to stderr, slowest first.")
    boolean profile;

    private Profiler profiler;

    /** Opens the backend asked for, wrapped in the profiler under --profile; the caller closes it. */
    Backend open() {
        if (threads != null && threads < 1) throw new IllegalArgumentException("--threads must be at least 1, got " + threads);
        Backend b;
        try {
            b = Backends.open(backend, threads == null ? 0 : threads);
        } catch (BackendUnavailableException e) {
            // Something to install, not a bug: exit 2 with the backend's own advice.
            throw new UserError(e.getMessage());
        }
        if (!profile) return b;
        profiler = new Profiler();
        return new ProfilingBackend(b, profiler);
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
