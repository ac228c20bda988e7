package io.moescope.backend.opencl;

import static org.junit.jupiter.api.Assertions.fail;

import io.moescope.backend.BackendUnavailableException;
import io.moescope.testing.Closeness;

/**
 * What the OpenCL tests share: one backend for the whole test run (building the kernels takes
 * PoCL seconds), and the conformance README's closeness rules, which live in {@link Closeness}.
 */
public final class OpenClTesting {
    private OpenClTesting() {}

    private static OpenClBackend backend;

    /**
     * The OpenCL backend on this machine's default device. Fails, never skips, when OpenCL is
     * missing: CI installs PoCL, so a missing platform is a broken setup, not a reason to pass.
     */
    public static synchronized OpenClBackend backend() {
        if (backend == null) {
            try {
                backend = OpenClBackend.open();
            } catch (BackendUnavailableException e) {
                fail("OpenCL is needed for these tests and is not available: " + e.getMessage(), e);
            }
            System.out.println("OpenCL tests run on " + backend.device().name() + " (" + backend.device().details() + ")");
        }
        return backend;
    }

    /** Max |want - got| within rel x max |want| (the README's rule for logits); returns the ratio found. */
    public static double assertClose(String what, float[] want, float[] got, double rel) {
        return Closeness.assertClose(what, want, got, rel);
    }

    /** Max |want - got| within abs. */
    public static void assertWithin(String what, float[] want, float[] got, double abs) {
        Closeness.assertWithin(what, want, got, abs);
    }
}
