package io.moescope.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moescope.backend.BackendUnavailableException;
import io.moescope.backend.DeviceInfo;
import io.moescope.backend.Tensor;
import io.moescope.testing.OpenClRequirement;
import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Device listing, opening errors, and device memory coming back from dropped tensors. */
class OpenClDevicesTest {

    @Test
    void listsDevicesWithTheirFacts() {
        OpenClRequirement.assumeAvailable();
        List<DeviceInfo> devices = OpenClBackend.devices();
        assertFalse(devices.isEmpty());
        for (DeviceInfo d : devices) {
            assertEquals("opencl", d.backend());
            assertFalse(d.name().isBlank());
            assertTrue(d.memoryBytes() > 0, "global memory of " + d.name());
            assertTrue(d.computeUnits() > 0, "compute units of " + d.name());
            assertTrue(d.details().contains("OpenCL"), d.details());
        }
        assertEquals("opencl", OpenClTesting.backend().name());
    }

    @Test
    void refusesADeviceIndexThatDoesNotExist() {
        OpenClRequirement.assumeAvailable();
        int n = OpenClBackend.devices().size();
        var e = assertThrows(BackendUnavailableException.class, () -> OpenClBackend.open(n));
        assertTrue(e.getMessage().contains("no OpenCL device " + n), e.getMessage());
    }

    /**
     * Where the probe's classes were loaded from (test classes, main classes, JOCL), not
     * java.class.path: under the JUnit console launcher, as the GPU machine runs the tests, that
     * names the launcher's jar alone and the child JVM could not find the probe.
     */
    private static String probeClassPath() {
        return Stream.of(NoPlatformProbe.class, OpenClBackend.class, org.jocl.CL.class)
                .map(c -> {
                    try {
                        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
                    } catch (URISyntaxException e) {
                        throw new IllegalStateException(e);
                    }
                })
                .distinct()
                .collect(Collectors.joining(File.pathSeparator));
    }

    /** ocl-icd reads its platform list from OCL_ICD_VENDORS when set: an empty folder means no platform. */
    @Test
    void withoutAPlatformSaysWhatToInstall(@TempDir Path empty) throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder pb = new ProcessBuilder(java.toString(), "--enable-native-access=ALL-UNNAMED", "-cp",
                probeClassPath(), NoPlatformProbe.class.getName());
        pb.environment().put("OCL_ICD_VENDORS", empty.toString());
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        assertTrue(out.contains("devices: 0"), out);
        assertTrue(out.contains("unavailable: no OpenCL platform or device found"), out);
        assertTrue(out.contains("pocl-opencl-icd") && out.contains("ocl-icd-opencl-dev"), out);
        assertTrue(Files.isDirectory(empty));
    }

    @Test
    void droppedTensorsGiveTheirMemoryBack() throws InterruptedException {
        OpenClBackend b = OpenClTesting.backend();
        long before = b.deviceMemory().orElseThrow().liveBytes();
        for (int i = 0; i < 20; i++) b.zeros(1024, 256);   // 1 MiB each, never closed
        assertTrue(b.deviceMemory().orElseThrow().liveBytes() >= before + 20L * 1024 * 1024);
        long deadline = System.currentTimeMillis() + 10_000;
        while (b.deviceMemory().orElseThrow().liveBytes() > before && System.currentTimeMillis() < deadline) {
            System.gc();
            Thread.sleep(20);
        }
        assertTrue(b.deviceMemory().orElseThrow().liveBytes() <= before, "device bytes still held: " + (b.deviceMemory().orElseThrow().liveBytes() - before));
    }

    @Test
    void closeFreesAtOnceAndViewsKeepTheBufferAlive() {
        OpenClBackend b = OpenClTesting.backend();
        Tensor t = b.upload(new float[]{1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor view = b.reshape(t, 6);
        long held = b.deviceMemory().orElseThrow().liveBytes();
        t.close();
        assertEquals(held, b.deviceMemory().orElseThrow().liveBytes(), "the view still holds the buffer");
        assertEquals(6f, b.download(view)[5]);
        view.close();
        assertEquals(held - 24, b.deviceMemory().orElseThrow().liveBytes());
        assertThrows(IllegalStateException.class, () -> b.download(view));
        view.close();   // twice is harmless
        assertEquals(held - 24, b.deviceMemory().orElseThrow().liveBytes());
    }
}
