package io.moescope.backend.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.moescope.backend.ForwardingBackend;
import io.moescope.backend.Tensor;
import io.moescope.backend.java.JavaBackend;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** ProfilingBackend over a backend that times its own device work: labels, no host clock, times on drain. */
class DeviceTimedProfilingTest {

    /** A CPU backend that pretends each labelled operation ran 1000 ns on a device, known only when drained. */
    private static final class FakeDevice extends ForwardingBackend implements DeviceTimer {
        final List<String> labels = new ArrayList<>();
        final Map<String, Long> pending = new LinkedHashMap<>();
        String current;

        FakeDevice(JavaBackend inner) {
            super(inner);
        }

        @Override
        public void timeAs(String op) {
            labels.add(String.valueOf(op));
            current = op;
        }

        @Override
        public Tensor linear(Tensor x, Tensor w, Tensor bias) {
            pending.merge(String.valueOf(current), 1000L, Long::sum);
            return super.linear(x, w, bias);
        }

        @Override
        public Map<String, Long> drainDeviceTimes() {
            Map<String, Long> out = new LinkedHashMap<>(pending);
            pending.clear();
            return out;
        }
    }

    /** The fake device over a java backend, and a profiler over it. */
    private static final class Rig implements AutoCloseable {
        final JavaBackend java = new JavaBackend(1);
        final FakeDevice device = new FakeDevice(java);
        final Profiler profiler = new Profiler();
        final ProfilingBackend profiling = new ProfilingBackend(device, profiler);

        @Override
        public void close() {
            java.close();
        }
    }

    @Test
    void operationsAreLabelledAndChargedTheDeviceTimeOnceDrained() {
        try (Rig rig = new Rig()) {
            FakeDevice device = rig.device;
            ProfilingBackend p = rig.profiling;
            Tensor x = p.upload(new float[]{1, 2, 3, 4}, 2, 2);
            Tensor w = p.upload(new float[]{1, 0, 0, 1}, 2, 2);
            device.labels.clear();

            p.linear(x, w, null);
            p.linear(x, w, null);
            // Calls and bytes are counted at once; no time yet, and no host clock stands in for it.
            assertEquals(2, rig.profiler.snapshot().op("linear").calls());
            assertEquals(0, rig.profiler.snapshot().op("linear").totalNanos());
            assertEquals(List.of("linear", "null", "linear", "null"), device.labels);

            p.synchronize();
            assertEquals(2000, rig.profiler.snapshot().op("linear").totalNanos());
            assertEquals(2, rig.profiler.snapshot().op("linear").calls(), "draining adds time, not calls");
            assertNull(rig.profiler.snapshot().op("null"), "nothing ran unlabelled");
        }
    }

    @Test
    void aDownloadReadsWhatTheDeviceRanBeforeIt() {
        try (Rig rig = new Rig()) {
            FakeDevice device = rig.device;
            ProfilingBackend p = rig.profiling;
            Tensor x = p.upload(new float[]{1, 2}, 1, 2);
            Tensor y = p.linear(x, p.upload(new float[]{1, 1}, 1, 2), null);
            p.download(y);
            assertEquals(1000, rig.profiler.snapshot().op("linear").totalNanos());
        }
    }
}
