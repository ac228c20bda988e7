package io.moescope.testing;

import static org.junit.jupiter.api.Assertions.fail;

import io.moescope.backend.BackendUnavailableException;
import io.moescope.backend.select.Backends;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.opentest4j.TestAbortedException;

/**
 * What a test that needs OpenCL does where OpenCL cannot open: it skips, and the first such test of
 * the JVM says on the console why and how to install PoCL, so that a machine with only a JDK passes
 * and knows what it left out. With {@value #VARIABLE}=1 in the environment, as .ci/run sets it, the
 * test fails instead: CI runs every backend, and a broken OpenCL setup there must not pass as a skip.
 */
public final class OpenClRequirement {
    private OpenClRequirement() {}

    public static final String VARIABLE = "MOESCOPE_REQUIRE_OPENCL";

    private static final AtomicBoolean announced = new AtomicBoolean();

    /** What opener returns, or a skip (or, where OpenCL is required, a failure) when OpenCL cannot open. */
    public static <T> T open(Supplier<T> opener) {
        try {
            return opener.get();
        } catch (BackendUnavailableException e) {
            throw skip(e);
        }
    }

    /** For tests that reach OpenCL through the command line or the workbench: a skip unless it lists a device. */
    public static void assumeAvailable() {
        for (Backends.Listing listing : Backends.devices()) {
            if (listing.backend().equals("opencl") && !listing.available()) {
                throw skip(new BackendUnavailableException(listing.unavailableReason()));
            }
        }
    }

    /**
     * The skip, or the failure where required is "1"; never returns normally. A parameter, not read
     * here, so that a test can check both answers.
     */
    static TestAbortedException unavailable(BackendUnavailableException e, String required) {
        String why = "OpenCL is not available here: " + e.getMessage();
        if ("1".equals(required)) fail(why + " (" + VARIABLE + "=1 asks for every OpenCL test to run)", e);
        return new TestAbortedException(why);
    }

    /** {@link #unavailable} as this environment decides it, said once per JVM on the console when it skips. */
    private static TestAbortedException skip(BackendUnavailableException e) {
        TestAbortedException skip = unavailable(e, System.getenv(VARIABLE));
        if (announced.compareAndSet(false, true)) {
            // the backend's own message usually says what to install already
            String how = skip.getMessage().contains("install") ? ""
                    : ". To run them, install an OpenCL driver, e.g. PoCL on the CPU (Debian: apt-get install pocl-opencl-icd)";
            System.out.println("OpenCL tests skip: " + skip.getMessage() + how);
        }
        return skip;
    }
}
