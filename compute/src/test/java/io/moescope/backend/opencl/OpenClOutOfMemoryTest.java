package io.moescope.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.moescope.analysis.LoadedModel;
import io.moescope.analysis.Prompt;
import io.moescope.backend.CpuFallbackChecks;
import io.moescope.backend.DeviceMemoryLimit;
import io.moescope.backend.DeviceOutOfMemoryException;
import io.moescope.backend.Tensor;
import io.moescope.testing.Conformance;
import io.moescope.testing.OpenClRequirement;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A device memory budget (-Dmoescope.deviceMemory) makes the device "full" on PoCL as on a real GPU:
 * allocating past it throws the typed exception with the numbers, and a model that runs out, while
 * loading or while analysing, moves to the CPU, says so once, and gives the CPU's logits.
 */
class OpenClOutOfMemoryTest {
    private static final Path MODEL = Conformance.model("mixtral-a");
    private static Prompt prompt;
    private static float[] cpuLogits;

    @BeforeAll
    static void onTheCpu() {
        OpenClRequirement.assumeAvailable();
        try (LoadedModel m = LoadedModel.open(MODEL, "java")) {
            prompt = m.encode("In the beginning God created the heaven and the earth.");
            cpuLogits = m.analyse(prompt).forward().logits();
        }
    }

    /** OpenCL with this budget; without OpenCL a skip, or a failure where it is required, as the other OpenCL tests do. */
    private static OpenClBackend openWithBudget(long bytes) {
        String before = System.getProperty(DeviceMemoryLimit.PROPERTY);
        System.setProperty(DeviceMemoryLimit.PROPERTY, Long.toString(bytes));
        try {
            return OpenClRequirement.open(OpenClBackend::open);
        } finally {
            if (before == null) System.clearProperty(DeviceMemoryLimit.PROPERTY);
            else System.setProperty(DeviceMemoryLimit.PROPERTY, before);
        }
    }

    @Test
    void allocatingPastTheBudgetThrowsTheNumbers() {
        try (OpenClBackend b = openWithBudget(1L << 20)) {
            List<Tensor> held = new ArrayList<>();
            held.add(b.zeros(128, 1024));   // 512 KiB of the 1 MiB
            DeviceOutOfMemoryException e = assertThrows(DeviceOutOfMemoryException.class, () -> b.zeros(192, 1024));
            assertEquals("opencl", e.backend());
            assertEquals(768L << 10, e.requestedBytes());
            assertEquals(512L << 10, e.inUseBytes());
            assertEquals(1L << 20, e.limitBytes());
            assertTrue(e.getMessage().startsWith("opencl: out of device memory (needed 1.3 MiB, limit 1.0 MiB) on "), e.getMessage());
            held.forEach(Tensor::close);
            b.zeros(192, 1024).close();   // freed memory is usable again: the backend is not left broken
        }
    }

    @Test
    void aModelTooLargeForTheBudgetLoadsOnTheCpu() {
        List<String> notices = new ArrayList<>();
        try (LoadedModel m = LoadedModel.open(MODEL, openWithBudget(64L << 10), new LoadedModel.Fallback(true, 1, notices::add))) {
            assertEquals("java", m.backendName());
            assertEquals(1, notices.size(), notices::toString);
            assertTrue(notices.getFirst().matches("opencl: out of device memory \\(needed [0-9.]+ [KM]iB, limit 64\\.0 KiB\\)"
                    + " — running on the CPU instead"), notices.getFirst());
            OpenClTesting.assertClose("logits", cpuLogits, m.analyse(prompt).forward().logits(), 1e-6);
        }
    }

    @Test
    void aRunThatFillsTheDeviceIsRedoneOnTheCpu() {
        long weights;
        OpenClBackend b = openWithBudget(Long.MAX_VALUE / 2);
        try (LoadedModel m = LoadedModel.open(MODEL, b)) {   // closes b
            weights = b.deviceMemory().orElseThrow().liveBytes();
            assertEquals("opencl", m.backendName());
        }
        System.gc();
        List<String> notices = new ArrayList<>();
        // Room for the weights and a few small tensors, not for a forward pass's activations.
        try (LoadedModel m = LoadedModel.open(MODEL, openWithBudget(weights + (16L << 10)), new LoadedModel.Fallback(true, 1, notices::add))) {
            CpuFallbackChecks.redoneOnTheCpu("opencl", m, notices, prompt, cpuLogits, 1e-6);
        }
    }

    @Test
    void withoutFallbackTheFailureReachesTheCaller() {
        DeviceOutOfMemoryException e = assertThrows(DeviceOutOfMemoryException.class,
                () -> LoadedModel.open(MODEL, openWithBudget(64L << 10), new LoadedModel.Fallback(false, 1, n -> fail(n))));
        assertEquals(64L << 10, e.limitBytes());
    }
}
