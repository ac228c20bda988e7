package io.moescope.analysis;

import io.moescope.backend.Backend;
import io.moescope.backend.profile.Profiler;
import io.moescope.backend.profile.ProfilingBackend;
import java.util.function.Supplier;

/**
 * Profiles analyses one at a time, for the workbench's Profile view and {@code report --profile}.
 * Every backend the workbench opens, and the CPU backend a full GPU moves to, reports into one
 * profiler, which is reset right before an analysis and read right after it. Both happen on the compute thread, which runs one task at a time, so a profile holds
 * one analysis and nothing else (not the model's upload, not a comparison or a backward pass).
 */
public final class AnalysisProfiler {
    private final Profiler profiler;

    /** Over a profiler of its own (the workbench's): {@link #wrap} connects it to each backend. */
    public AnalysisProfiler() {
        this(new Profiler());
    }

    /** Over a profiler that already records the backend (report --profile's, which also prints it). */
    public AnalysisProfiler(Profiler profiler) {
        this.profiler = profiler;
    }

    /**
     * The backend as the workbench uses it; on the java backend the profiler's clock reads are all it
     * adds. Starts the profile afresh: when a full GPU moves the model to the CPU in the middle of an
     * analysis, the CPU backend is wrapped here, and the analysis's profile is then the rerun on the
     * CPU (with the weights it loaded again), not the abandoned GPU attempt under a java header.
     */
    public Backend wrap(Backend b) {
        profiler.reset();
        return new ProfilingBackend(b, profiler);
    }

    /** An analysis with what it cost. */
    public record Profiled(Analysis analysis, RunProfile profile) {}

    /** Runs the analysis on the calling thread (the compute thread, never the FX thread). */
    public Profiled analyse(LoadedModel m, Supplier<Analysis> analysis) {
        // A GPU backend reports its device times when the host waits for it: waiting before the reset
        // lands earlier work's times before it, waiting after the run brings in all of this one's.
        // Free on the CPU, and the device is idle between tasks anyway.
        m.model().backend().synchronize();
        profiler.reset();
        Analysis a = analysis.get();
        m.model().backend().synchronize();
        // read after the run: a GPU that filled up has moved the model to the CPU meanwhile
        return new Profiled(a, new RunProfile(m.backendName(), m.device().name(), a.tokenCount(), profiler.snapshot()));
    }
}
