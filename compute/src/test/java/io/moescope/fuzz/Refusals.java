package io.moescope.fuzz;

import io.moescope.files.CheckpointException;

/**
 * The property every fuzz target checks: an input ends in success or in our own typed error, a
 * {@link CheckpointException} with a non-empty one-line message. Anything else (another exception,
 * an OutOfMemoryError) escapes and is reported by Jazzer as a finding; hangs are caught by @Timeout.
 */
final class Refusals {
    private Refusals() {}

    interface Action {
        void run() throws Exception;
    }

    static void successOrRefusal(Action action) throws Exception {
        try {
            action.run();
        } catch (CheckpointException e) {
            String m = e.getMessage();
            if (m == null || m.isBlank() || m.indexOf('\n') >= 0 || m.indexOf('\r') >= 0) {
                throw new AssertionError("refusal without a one-line message: " + m, e);
            }
        }
    }
}
