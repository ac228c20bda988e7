package io.moescope.backend.select;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moescope.backend.Backend;
import io.moescope.backend.BackendUnavailableException;
import io.moescope.backend.DeviceInfo;
import io.moescope.testing.OpenClRequirement;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The backend registry on this kind of machine: no NVIDIA driver, PoCL installed (here and in CI),
 * so ptx is unavailable and opencl opens on the CPU.
 */
class BackendsTest {

    @Test
    void javaOpensWithTheThreadsAskedFor() {
        try (Backend b = Backends.open("java", 2)) {
            assertEquals("java", b.name());
            assertEquals(2, b.device().computeUnits());
        }
        try (Backend b = Backends.open(" Java ", 0)) {   // 0: all cores
            assertEquals(Runtime.getRuntime().availableProcessors(), b.device().computeUnits());
        }
    }

    @Test
    void anUnknownNameListsTheNames() {
        var e = assertThrows(IllegalArgumentException.class, () -> Backends.open("cuda", 1));
        assertTrue(e.getMessage().contains("'cuda'"), e.getMessage());
        for (String name : Backends.NAMES) assertTrue(e.getMessage().contains(name), e.getMessage());
    }

    @Test
    void ptxWithoutTheNvidiaDriverSaysWhatToInstall() {
        var e = assertThrows(BackendUnavailableException.class, () -> Backends.open("ptx", 1));
        assertTrue(e.getMessage().contains("install"), e.getMessage());
        assertTrue(e.getMessage().contains("NVIDIA"), e.getMessage());
    }

    @Test
    void openClOpensOnPocl() {
        try (Backend b = OpenClRequirement.open(() -> Backends.open("opencl", 1))) {
            assertEquals("opencl", b.name());
        }
    }

    @Test
    void autoNeverFailsAndTakesNoCpuOpenCl() {
        try (Backend b = Backends.open("auto", 1)) {
            assertNotNull(b);
            // PoCL is a CPU device: auto keeps to java unless a GPU works.
            if (b.name().equals("opencl")) assertTrue(Backends.isGpu(b.device()), b.device().toString());
        }
    }

    @Test
    void devicesListEveryBackendWithDevicesOrAReason() {
        List<Backends.Listing> all = Backends.devices();
        assertEquals(List.of("java", "opencl", "ptx"), all.stream().map(Backends.Listing::backend).toList());
        Backends.Listing java = all.getFirst();
        assertTrue(java.available());
        DeviceInfo cpu = java.devices().getFirst();
        assertEquals(Runtime.getRuntime().availableProcessors(), cpu.computeUnits());
        assertEquals(Runtime.getRuntime().maxMemory(), cpu.memoryBytes());
        for (Backends.Listing l : all) {
            assertEquals(l.devices().isEmpty(), !l.available(), l.toString());
            if (!l.available()) assertFalse(l.unavailableReason().isBlank(), l.toString());
        }
        Backends.Listing ptx = all.get(2);
        if (!ptx.available()) assertTrue(ptx.unavailableReason().contains("install"), ptx.unavailableReason());
    }
}
