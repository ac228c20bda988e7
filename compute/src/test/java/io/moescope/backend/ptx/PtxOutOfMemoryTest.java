package io.moescope.backend.ptx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.moescope.analysis.LoadedModel;
import io.moescope.analysis.Prompt;
import io.moescope.backend.BackendUnavailableException;
import io.moescope.backend.CpuFallbackChecks;
import io.moescope.backend.DeviceMemoryLimit;
import io.moescope.backend.DeviceOutOfMemoryException;
import io.moescope.backend.Tensor;
import io.moescope.testing.Conformance;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A device memory budget (-Dmoescope.deviceMemory) on the ptx backend: allocating past it throws the
 * typed exception, and a model that runs out, while loading or while analysing, moves to the CPU,
 * says so once, and gives the CPU's logits. Skipped where there is no NVIDIA driver, as on CI.
 *
 * <p>The device's memory pool is the process's (other PTX tests share it), so budgets are set on top
 * of what is in use when the test starts, and every test ends by opening a backend with no budget.
 */
class PtxOutOfMemoryTest {
    private static final Path MODEL = Conformance.model("mixtral-a");
    private static Prompt prompt;
    private static float[] cpuLogits;

    @BeforeAll
    static void onTheCpu() {
        Assumptions.assumeTrue(PtxTesting.driverPresent(), "no NVIDIA driver (" + CudaDriver.LIBRARY + "): PTX tests skipped");
        try (LoadedModel m = LoadedModel.open(MODEL, "java")) {
            prompt = m.encode("In the beginning God created the heaven and the earth.");
            cpuLogits = m.analyse(prompt).forward().logits();
        }
    }

    @AfterEach
    void noBudgetAfterwards() {
        open(null).close();
    }

    /** The ptx backend with this budget (null: none). */
    private static PtxBackend open(Long bytes) {
        String before = System.getProperty(DeviceMemoryLimit.PROPERTY);
        if (bytes == null) System.clearProperty(DeviceMemoryLimit.PROPERTY);
        else System.setProperty(DeviceMemoryLimit.PROPERTY, Long.toString(bytes));
        try {
            return PtxBackend.open();
        } catch (BackendUnavailableException e) {
            return fail("the NVIDIA driver is here but the ptx backend cannot open: " + e.getMessage(), e);
        } finally {
            if (before == null) System.clearProperty(DeviceMemoryLimit.PROPERTY);
            else System.setProperty(DeviceMemoryLimit.PROPERTY, before);
        }
    }

    /** Device bytes in use once tensors that earlier tests dropped have come back through the Cleaner. */
    private static long settledLiveBytes() throws InterruptedException {
        try (PtxBackend b = open(null)) {
            long live = Long.MAX_VALUE;
            for (int i = 0; i < 10; i++) {
                System.gc();
                Thread.sleep(20);
                long now = b.deviceMemory().orElseThrow().liveBytes();
                if (now == live) break;
                live = now;
            }
            return b.deviceMemory().orElseThrow().liveBytes();
        }
    }

    @Test
    void allocatingPastTheBudgetThrowsTheNumbers() throws InterruptedException {
        long base = settledLiveBytes(), budget = base + (1L << 20);
        try (PtxBackend b = open(budget)) {
            List<Tensor> held = new ArrayList<>();
            held.add(b.zeros(128, 1024));   // 512 KiB of the 1 MiB above what was in use
            DeviceOutOfMemoryException e = assertThrows(DeviceOutOfMemoryException.class, () -> b.zeros(192, 1024));
            assertEquals("ptx", e.backend());
            assertEquals(768L << 10, e.requestedBytes());
            assertTrue(e.inUseBytes() >= 512L << 10 && e.inUseBytes() <= base + (512L << 10), "in use " + e.inUseBytes());
            assertEquals(budget, e.limitBytes());
            assertTrue(e.getMessage().startsWith("ptx: out of device memory (needed "), e.getMessage());
            assertTrue(e.getMessage().contains(" on " + b.device().name()), e.getMessage());
            held.forEach(Tensor::close);
            b.zeros(192, 1024).close();   // freed memory is usable again: the backend is not left broken
        }
    }

    @Test
    void aModelTooLargeForTheBudgetLoadsOnTheCpu() throws InterruptedException {
        long budget = settledLiveBytes() + (64L << 10);
        List<String> notices = new ArrayList<>();
        try (LoadedModel m = LoadedModel.open(MODEL, open(budget), new LoadedModel.Fallback(true, 1, notices::add))) {
            assertEquals("java", m.backendName());
            assertEquals(1, notices.size(), notices::toString);
            assertTrue(notices.getFirst().matches("ptx: out of device memory \\(needed [0-9.]+ [KMG]iB, limit [0-9.]+ [KMG]iB\\)"
                    + " — running on the CPU instead"), notices.getFirst());
            PtxTesting.assertClose("logits", cpuLogits, m.analyse(prompt).forward().logits(), 1e-5);
        }
    }

    @Test
    void aRunThatFillsTheDeviceIsRedoneOnTheCpu() throws InterruptedException {
        long before = settledLiveBytes(), weights;
        PtxBackend b = open(null);
        try (LoadedModel m = LoadedModel.open(MODEL, b)) {   // closes b
            weights = b.deviceMemory().orElseThrow().liveBytes() - before;
            assertEquals("ptx", m.backendName());
        }
        assertTrue(weights > 64L << 10, "mixtral-a's weights take " + weights + " bytes on the device");
        List<String> notices = new ArrayList<>();
        // Room for the weights and a few small tensors, not for a forward pass's activations.
        long budget = settledLiveBytes() + weights + (16L << 10);
        try (LoadedModel m = LoadedModel.open(MODEL, open(budget), new LoadedModel.Fallback(true, 1, notices::add))) {
            CpuFallbackChecks.redoneOnTheCpu("ptx", m, notices, prompt, cpuLogits, 1e-5);
        }
    }

    @Test
    void withoutFallbackTheFailureReachesTheCaller() throws InterruptedException {
        long budget = settledLiveBytes() + (64L << 10);
        DeviceOutOfMemoryException e = assertThrows(DeviceOutOfMemoryException.class,
                () -> LoadedModel.open(MODEL, open(budget), new LoadedModel.Fallback(false, 1, n -> fail(n))));
        assertEquals("ptx", e.backend());
        assertEquals(budget, e.limitBytes());
    }
}
