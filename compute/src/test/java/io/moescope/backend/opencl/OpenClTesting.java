package io.moescope.backend.opencl;

import io.moescope.testing.Closeness;
import io.moescope.testing.OpenClRequirement;

/**
 * What the OpenCL tests share: one backend for the whole test run (building the kernels takes
 * PoCL seconds), and the conformance README's closeness rules, which live in {@link Closeness}.
 */
public final class OpenClTesting {
    private OpenClTesting() {}

    private static OpenClBackend backend;

    /**
     * The OpenCL backend on this machine's default device. Where OpenCL is missing the calling test
     * skips, or fails under MOESCOPE_REQUIRE_OPENCL=1 ({@link OpenClRequirement}), as on CI.
     */
    public static synchronized OpenClBackend backend() {
        if (backend == null) {
            backend = OpenClRequirement.open(OpenClBackend::open);
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
