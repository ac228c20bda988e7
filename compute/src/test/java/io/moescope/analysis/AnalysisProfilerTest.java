package io.moescope.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moescope.analysis.LoadedModel;
import io.moescope.backend.AttentionOutput;
import io.moescope.backend.AttentionSpec;
import io.moescope.backend.Backend;
import io.moescope.backend.select.Backends;
import io.moescope.backend.DeviceOutOfMemoryException;
import io.moescope.backend.ForwardingBackend;
import io.moescope.backend.Tensor;
import io.moescope.backend.profile.OpStats;
import io.moescope.backend.profile.Profile;
import io.moescope.testing.OpenClRequirement;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The workbench's profiles on the sample model, without a window: one analysis each, nothing of the loading or the one before. */
class AnalysisProfilerTest {
    private static final Path MODEL = Path.of("..", "sample-models", "kjv-deepseek-v3").toAbsolutePath().normalize();

    /** What does not depend on the clock. */
    private static List<String> counts(Profile p) {
        return p.ops().stream().map(s -> s.op() + " " + s.calls() + " " + s.bytes()).sorted().toList();
    }

    @Test
    void eachProfileHoldsOneAnalysis() {
        AnalysisProfiler profiler = new AnalysisProfiler();
        try (LoadedModel m = LoadedModel.open(MODEL, profiler.wrap(Backends.open("java", 1)))) {
            AnalysisProfiler.Profiled first = profiler.analyse(m, () -> m.analyse("In the beginning"));
            RunProfile p = first.profile();
            assertEquals("java", p.backend());
            assertEquals(m.device().name(), p.device());
            assertEquals(first.analysis().tokenCount(), p.tokens());
            OpStats linear = p.profile().op("linear");
            assertNotNull(linear, p.profile().table());
            assertTrue(linear.calls() > 0 && linear.bytes() > 0, p.profile().table());
            // the weights (megabytes) were uploaded while loading, before the analysis
            assertTrue(p.profile().uploadBytes() < 10_000, p.profile().table());

            // the same prompt again: the same operations and bytes, not twice as many
            RunProfile again = profiler.analyse(m, () -> m.analyse("In the beginning")).profile();
            assertEquals(counts(p.profile()), counts(again.profile()));

            // a longer prompt: the same layers, more bytes through them
            RunProfile longer = profiler.analyse(m, () -> m.analyse("In the beginning God created the heaven and the earth.")).profile();
            assertEquals(linear.calls(), longer.profile().op("linear").calls());
            assertTrue(longer.profile().op("linear").bytes() > linear.bytes(), longer.profile().table());
        }
    }

    /** On a GPU backend (PoCL here) the same operations and bytes, with the device times its events report. */
    @Test
    void onOpenClTheSameCallsAndBytesWithDeviceTimes() {
        Backend opencl = OpenClRequirement.open(() -> Backends.open("opencl", 0));
        AnalysisProfiler profiler = new AnalysisProfiler();
        Profile onJava, onOpenCl;
        try (LoadedModel m = LoadedModel.open(MODEL, profiler.wrap(Backends.open("java", 1)))) {
            onJava = profiler.analyse(m, () -> m.analyse("In the beginning")).profile().profile();
        }
        try (LoadedModel m = LoadedModel.open(MODEL, profiler.wrap(opencl))) {
            RunProfile p = profiler.analyse(m, () -> m.analyse("In the beginning")).profile();
            assertEquals("opencl", p.backend());
            onOpenCl = p.profile();
        }
        assertEquals(counts(onJava), counts(onOpenCl));
        for (String op : List.of("linear", "attention", "experts")) {
            assertTrue(onOpenCl.op(op).totalNanos() > 0, op + " has its device time: " + onOpenCl.table());
        }
    }

    /** The java backend under another name, full at the first attention, as a GPU may fill up mid-run. */
    private static final class FullAtAttention extends ForwardingBackend {
        FullAtAttention() {
            super(Backends.open("java", 1));
        }

        @Override
        public String name() {
            return "fake-gpu";
        }

        @Override
        public AttentionOutput attention(Tensor q, Tensor k, Tensor v, AttentionSpec spec, boolean keepProbabilities) {
            throw new DeviceOutOfMemoryException("fake-gpu", "test device", 1024, 0, 1024, null);
        }

        @Override
        public void close() {
            inner.close();
        }
    }

    /** Calls and bytes of the operations that compute, without the transfers (a fallback loads the weights again). */
    private static List<String> computeCounts(Profile p) {
        return counts(p).stream().filter(s -> !s.startsWith("upload") && !s.startsWith("download")).toList();
    }

    /** A GPU that fills up mid-analysis: the profile is the rerun on the CPU, not the abandoned GPU work added to it. */
    @Test
    void afterAMoveToTheCpuTheProfileIsTheRerun() {
        AnalysisProfiler profiler = new AnalysisProfiler();
        Profile plain;
        try (LoadedModel m = LoadedModel.open(MODEL, profiler.wrap(Backends.open("java", 1)))) {
            plain = profiler.analyse(m, () -> m.analyse("In the beginning")).profile().profile();
        }
        List<String> notices = new ArrayList<>();
        LoadedModel.Fallback fallback = new LoadedModel.Fallback(true, 1, notices::add, profiler::wrap);
        try (LoadedModel m = LoadedModel.open(MODEL, profiler.wrap(new FullAtAttention()), fallback)) {
            RunProfile p = profiler.analyse(m, () -> m.analyse("In the beginning")).profile();
            assertEquals(1, notices.size(), notices::toString);
            assertEquals("java", p.backend());
            // the GPU attempt had run the embedding and the first projections before it failed
            assertEquals(computeCounts(plain), computeCounts(p.profile()), p.profile().table());
        }
    }
}
