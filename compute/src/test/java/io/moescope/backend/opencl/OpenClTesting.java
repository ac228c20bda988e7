package io.moescope.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.moescope.backend.BackendUnavailableException;

/**
 * What the OpenCL tests share: one backend for the whole test run (building the kernels takes
 * PoCL seconds), and the conformance README's closeness rule.
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
        assertEquals(want.length, got.length, what + " size");
        double max = 0, diff = 0;
        int worst = -1;
        for (int i = 0; i < want.length; i++) {
            max = Math.max(max, Math.abs(want[i]));
            double d = Math.abs(want[i] - got[i]);
            if (!(d <= diff)) {
                diff = d;
                worst = i;
            }
        }
        double bound = rel * Math.max(max, 1e-6);
        assertTrue(diff <= bound, what + ": max |diff| " + diff + " at " + worst + " (want " + (worst < 0 ? "-" : want[worst])
                + ", got " + (worst < 0 ? "-" : got[worst]) + ") exceeds " + rel + " x " + max);
        return diff / Math.max(max, 1e-6);
    }

    /** Max |want - got| within abs. */
    public static void assertWithin(String what, float[] want, float[] got, double abs) {
        assertEquals(want.length, got.length, what + " size");
        for (int i = 0; i < want.length; i++) {
            if (!(Math.abs(want[i] - got[i]) <= abs)) {
                fail(what + " at " + i + ": want " + want[i] + ", got " + got[i] + " (tolerance " + abs + ")");
            }
        }
    }
}
