package io.moescope.backend.ptx;

import static org.junit.jupiter.api.Assertions.fail;

import io.moescope.backend.BackendUnavailableException;
import io.moescope.backend.java.JavaBackend;
import io.moescope.testing.Closeness;
import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;

/**
 * What the PTX tests share: one backend for the run, skipped (not failed) where there is no NVIDIA
 * driver, as on CI; the java backend as reference; and the closeness rules of {@link Closeness}.
 * Public for the conformance suites (io.moescope.conformance), which open the backend here too.
 */
public final class PtxTesting {
    private PtxTesting() {}

    private static PtxBackend backend;
    private static JavaBackend reference;

    static boolean driverPresent() {
        try {
            SymbolLookup.libraryLookup(CudaDriver.LIBRARY, Arena.global());
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** The PTX backend on device 0; skips the calling test where the driver is absent. */
    public static synchronized PtxBackend backend() {
        Assumptions.assumeTrue(driverPresent(), "no NVIDIA driver (" + CudaDriver.LIBRARY + ") on this machine: PTX tests skipped");
        if (backend == null) {
            try {
                long t0 = System.nanoTime();
                backend = PtxBackend.open();
                System.out.printf("PTX tests run on %s (%s); set up in %.1f s%n", backend.device().name(),
                        backend.device().details(), (System.nanoTime() - t0) / 1e9);
            } catch (BackendUnavailableException e) {
                fail("the NVIDIA driver is here but the ptx backend cannot open: " + e.getMessage(), e);
            }
        }
        return backend;
    }

    static synchronized JavaBackend reference() {
        if (reference == null) reference = new JavaBackend(Math.max(1, Runtime.getRuntime().availableProcessors()));
        return reference;
    }

    static float[] random(Random rnd, int n, float scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (rnd.nextFloat() * 2 - 1) * scale;
        return v;
    }

    /** Max |want - got| within rel x max |want|; returns that ratio. */
    static double assertClose(String what, float[] want, float[] got, double rel) {
        return Closeness.assertClose(what, want, got, rel);
    }
}
