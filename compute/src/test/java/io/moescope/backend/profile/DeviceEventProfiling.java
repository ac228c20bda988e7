package io.moescope.backend.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moescope.backend.Backend;
import io.moescope.backend.Tensor;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * What a backend that times its own work with device events must give the profiler: each operation
 * charged its kernels' device time, and nothing for work queued outside the profiler. One subclass
 * per GPU backend, in its package, so that the GPU machine's test selection runs it.
 */
public abstract class DeviceEventProfiling {

    /** The backend under test, shared by the test run: never closed here. */
    protected abstract Backend backend();

    private static float[] random(int n, long seed) {
        Random r = new Random(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = r.nextFloat() - 0.5f;
        return a;
    }

    @Test
    public void eachOperationIsChargedItsKernelsDeviceTime() {
        Backend device = backend();
        assertTrue(device instanceof DeviceTimer, device.name() + " times its own work");
        Profiler profiler = new Profiler();
        ProfilingBackend p = new ProfilingBackend(device, profiler);
        Tensor x = p.upload(random(128 * 256, 1), 128, 256);
        Tensor w = p.upload(random(256 * 256, 2), 256, 256);
        Tensor norm = p.upload(random(256, 3), 256);
        profiler.reset();

        for (int i = 0; i < 3; i++) p.rmsNorm(p.linear(x, w, null), norm, 1e-6f);
        // Work queued on the backend itself, not through the profiler, is not timed.
        device.linear(x, w, null);
        assertEquals(3, profiler.snapshot().op("linear").calls());
        p.synchronize();
        Profile after = profiler.snapshot();

        assertEquals(3, after.op("linear").calls(), "reading the events adds time, not calls");
        assertEquals(3, after.op("rmsNorm").calls());
        assertTrue(after.op("linear").totalNanos() > 0, "linear's kernels ran on the device: " + after.table());
        assertTrue(after.op("rmsNorm").totalNanos() > 0, after.table());
        assertNull(after.op("?"), "every timed kernel belonged to an operation: " + after.table());
        p.synchronize();
        assertEquals(after.op("linear").totalNanos(), profiler.snapshot().op("linear").totalNanos(), "a second read finds nothing new");
    }
}
