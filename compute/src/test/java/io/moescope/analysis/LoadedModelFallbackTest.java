package io.moescope.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moescope.backend.AttentionOutput;
import io.moescope.backend.AttentionSpec;
import io.moescope.backend.Backend;
import io.moescope.backend.select.Backends;
import io.moescope.backend.DeviceOutOfMemoryException;
import io.moescope.backend.ForwardingBackend;
import io.moescope.backend.Tensor;
import io.moescope.backend.profile.Profiler;
import io.moescope.backend.profile.ProfilingBackend;
import io.moescope.tensor.FloatTensor;
import io.moescope.testing.Conformance;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A model that moves to the CPU keeps the wrapper its first backend had (the workbench's profiler),
 * whether the device fills up while loading or during a run.
 */
class LoadedModelFallbackTest {
    private static final Path DIR = Conformance.model("mixtral-a");
    private static final Prompt PROMPT = new Prompt("", new int[]{5, 17, 42, 7}, List.of("5", "17", "42", "7"), null);

    /** The java backend under another name, full when loading or at the first attention. */
    private static final class FullGpu extends ForwardingBackend {
        private final boolean fullOnLoad;

        FullGpu(boolean fullOnLoad) {
            super(Backends.open("java", 1));
            this.fullOnLoad = fullOnLoad;
        }

        private static DeviceOutOfMemoryException full() {
            return new DeviceOutOfMemoryException("fake-gpu", "test device", 1024, 0, 1024, null);
        }

        @Override
        public String name() {
            return "fake-gpu";
        }

        @Override
        public Tensor upload(FloatTensor weight) {
            if (fullOnLoad) throw full();
            return super.upload(weight);
        }

        @Override
        public AttentionOutput attention(Tensor q, Tensor k, Tensor v, AttentionSpec spec, boolean keepProbabilities) {
            throw full();
        }

        @Override
        public void close() {
            inner.close();
        }
    }

    private static void assertProfiledOnTheCpu(boolean fullOnLoad) {
        Profiler profiler = new Profiler();
        List<String> notices = new ArrayList<>();
        LoadedModel.Fallback fallback = new LoadedModel.Fallback(true, 1, notices::add, b -> new ProfilingBackend(b, profiler));
        try (LoadedModel m = LoadedModel.open(DIR, new FullGpu(fullOnLoad), fallback)) {
            profiler.reset();
            Analysis a = m.analyse(PROMPT);
            assertEquals(4, a.tokenCount());
            assertEquals("java", m.backendName());
            assertEquals(1, notices.size(), notices::toString);
            assertTrue(profiler.snapshot().op("attention") != null, "the run after the move was profiled: " + profiler.snapshot().ops());
        }
    }

    @Test
    void fullWhileLoading() {
        assertProfiledOnTheCpu(true);
    }

    @Test
    void fullDuringARun() {
        assertProfiledOnTheCpu(false);
    }
}
