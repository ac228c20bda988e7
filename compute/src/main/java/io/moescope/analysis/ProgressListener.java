package io.moescope.analysis;

/** Told how far a long analysis has got; the workbench forwards it to a progress bar. */
@FunctionalInterface
public interface ProgressListener {
    ProgressListener NONE = (done, total, message) -> { };

    void progress(long done, long total, String message);
}
