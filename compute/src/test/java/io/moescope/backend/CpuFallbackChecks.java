package io.moescope.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moescope.analysis.Analysis;
import io.moescope.analysis.LoadedModel;
import io.moescope.analysis.Prompt;
import io.moescope.testing.Closeness;
import java.util.Arrays;
import java.util.List;

/** What the GPU backends' out-of-memory tests expect of a run that fills the device. */
public final class CpuFallbackChecks {
    private CpuFallbackChecks() {}

    /**
     * m, opened on the GPU backend {@code name} with room for its weights only, analyses the prompt on
     * the CPU after one notice, and gives the CPU's logits (within rel) for the same ids.
     */
    public static void redoneOnTheCpu(String name, LoadedModel m, List<String> notices, Prompt prompt, float[] cpuLogits, double rel) {
        assertEquals(name, m.backendName(), "the weights fit");
        Analysis a = m.analyse(prompt);
        assertEquals("java", m.backendName());
        assertEquals(1, notices.size(), notices::toString);
        assertTrue(notices.getFirst().startsWith(name + ": out of device memory (needed "), notices.getFirst());
        Closeness.assertClose("logits", cpuLogits, a.forward().logits(), rel);
        assertEquals(Arrays.toString(prompt.ids()), Arrays.toString(a.ids()));
    }
}
