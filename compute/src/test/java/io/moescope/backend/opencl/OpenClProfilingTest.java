package io.moescope.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moescope.backend.Tensor;
import io.moescope.backend.profile.Profile;
import io.moescope.backend.profile.Profiler;
import io.moescope.backend.profile.ProfilingBackend;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The profile of OpenCL work comes from the queue's profiling events, per operation. */
class OpenClProfilingTest {

    private static float[] random(int n, long seed) {
        Random r = new Random(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = r.nextFloat() - 0.5f;
        return a;
    }

    @Test
    void eachOperationIsChargedItsKernelsDeviceTime() {
        OpenClBackend cl = OpenClTesting.backend();   // shared by the test run: never closed here
        Profiler profiler = new Profiler();
        ProfilingBackend p = new ProfilingBackend(cl, profiler);
        Tensor x = p.upload(random(128 * 256, 1), 128, 256);
        Tensor w = p.upload(random(256 * 256, 2), 256, 256);
        Tensor norm = p.upload(random(256, 3), 256);
        profiler.reset();

        for (int i = 0; i < 3; i++) p.rmsNorm(p.linear(x, w, null), norm, 1e-6f);
        // Work queued on the backend itself, not through the profiler, is not timed.
        cl.linear(x, w, null);
        Profile before = profiler.snapshot();
        assertEquals(3, before.op("linear").calls());
        p.synchronize();
        Profile after = profiler.snapshot();

        assertEquals(3, after.op("linear").calls(), "reading the events adds time, not calls");
        assertEquals(3, after.op("rmsNorm").calls());
        assertTrue(after.op("linear").totalNanos() > 0, "linear's GEMM kernels ran on the device: " + after.table());
        assertTrue(after.op("rmsNorm").totalNanos() > 0, after.table());
        assertNull(after.op("?"), "every event belonged to an operation: " + after.table());
        // A second read finds nothing new.
        p.synchronize();
        assertEquals(after.op("linear").totalNanos(), profiler.snapshot().op("linear").totalNanos());
    }
}
