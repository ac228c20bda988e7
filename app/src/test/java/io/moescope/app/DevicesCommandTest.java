package io.moescope.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class DevicesCommandTest {

    @Test
    void listsTheCpuAndEveryBackendEvenWithoutAGpu() {
        Cli r = Cli.run("devices");
        assertEquals(0, r.exitCode(), r::toString);
        String[] lines = r.out().split("\\R");
        assertTrue(Arrays.stream(lines).anyMatch(l -> l.startsWith("java ") && l.contains("CPU")), r::toString);
        assertTrue(Arrays.stream(lines).anyMatch(l -> l.startsWith("opencl ")), r::toString);
        assertTrue(Arrays.stream(lines).anyMatch(l -> l.startsWith("ptx ")), r::toString);
        // No NVIDIA driver on the build machines: ptx says why, and what to install.
        assertTrue(Arrays.stream(lines).anyMatch(l -> l.startsWith("ptx ") && (l.contains("install") || l.contains(" GPU"))), r::toString);
    }
}
