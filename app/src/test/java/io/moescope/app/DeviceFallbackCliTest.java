package io.moescope.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moescope.backend.Backend;
import io.moescope.backend.BackendUnavailableException;
import io.moescope.backend.select.Backends;
import io.moescope.backend.DeviceMemoryLimit;
import io.moescope.checkpoint.SafetensorsFile;
import io.moescope.testing.Conformance;
import io.moescope.testing.OpenClRequirement;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A GPU that runs out of memory, made on PoCL with a tiny --device-memory: the command warns once
 * and finishes on the CPU with the CPU's numbers, or with --no-fallback fails in one line, exit 2.
 */
class DeviceFallbackCliTest {
    private static final Path MIXTRAL = Conformance.dir().resolve("mixtral-a");
    private static final String IDS = "5,17,42,7,99,3,64,12";

    private static float[] logits(Path file) {
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            return f.floats("logits").toArray();
        }
    }

    @Test
    void outOfDeviceMemoryWarnsOnceAndRunsOnTheCpu(@TempDir Path dir) {
        OpenClRequirement.assumeAvailable();
        assertFallsBackToTheCpu(dir, "opencl");
    }

    /** The same on an NVIDIA GPU (the GPU machine); skipped where the ptx backend cannot open, as on CI. */
    @Test
    void ptxOutOfDeviceMemoryWarnsOnceAndRunsOnTheCpu(@TempDir Path dir) {
        try (Backend b = Backends.open("ptx", 0)) {
            assertEquals("ptx", b.name());
        } catch (BackendUnavailableException e) {
            Assumptions.abort("no ptx backend here: " + e.getMessage());
        }
        assertFallsBackToTheCpu(dir, "ptx");
    }

    private static void assertFallsBackToTheCpu(Path dir, String backend) {
        Path cpu = dir.resolve("cpu.safetensors"), gpu = dir.resolve("gpu.safetensors");
        Cli java = Cli.run("inspect", "--model", MIXTRAL.toString(), "--ids", IDS, "--out", cpu.toString(), "--backend", "java");
        assertEquals(0, java.exitCode(), java::toString);

        Cli r = Cli.run("inspect", "--model", MIXTRAL.toString(), "--ids", IDS, "--out", gpu.toString(),
                "--backend", backend, "--device-memory", "64k");
        assertEquals(0, r.exitCode(), r::toString);
        assertEquals(1, r.errLines().length, r::toString);
        assertTrue(r.errLines()[0].matches("moescope: warning: " + backend + ": out of device memory \\(needed [0-9.]+ [KM]iB, limit 64\\.0 KiB\\)"
                + " — running on the CPU instead"), r::toString);
        assertTrue(r.out().startsWith("wrote "), r::toString);
        float[] want = logits(cpu), got = logits(gpu);
        assertEquals(want.length, got.length);
        for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], 1e-5f * Math.max(1, Math.abs(want[i])), "logit " + i);
        assertEquals(null, System.getProperty(DeviceMemoryLimit.PROPERTY), "the option must not outlive the command");
    }

    @Test
    void noFallbackFailsInOneLineWithExitTwo(@TempDir Path dir) {
        OpenClRequirement.assumeAvailable();
        Path out = dir.resolve("gpu.safetensors");
        Cli r = Cli.run("inspect", "--model", MIXTRAL.toString(), "--ids", IDS, "--out", out.toString(),
                "--backend", "opencl", "--device-memory", "64k", "--no-fallback");
        CliTest.assertOneLineFailure(r, 2);
        assertTrue(r.err().startsWith("moescope: opencl: out of device memory (needed "), r::toString);
        assertTrue(r.err().contains("limit 64.0 KiB)"), r::toString);
        assertTrue(r.err().contains("--no-fallback is set"), r::toString);
        assertFalse(Files.exists(out), "no partial output");
    }

    /** The lab goes through the same fallback: a sweep on a full GPU finishes on the CPU with the CPU's figures. */
    @Test
    void aSweepOnAFullGpuFinishesOnTheCpu(@TempDir Path dir) throws Exception {
        OpenClRequirement.assumeAvailable();
        String model = Path.of("..", "sample-models", "kjv-mixtral").toAbsolutePath().normalize().toString();
        Path text = Files.writeString(dir.resolve("t.txt"), "In the beginning God created the heaven and the earth. And the earth was without form, and void.");
        Path cpu = dir.resolve("cpu.html"), gpu = dir.resolve("gpu.html");
        Cli java = Cli.run("sweep", "--model", model, "--text", text.toString(), "--what", "topk", "--values", "1",
                "--out", cpu.toString(), "--backend", "java", "--json");
        assertEquals(0, java.exitCode(), java::toString);
        Cli r = Cli.run("sweep", "--model", model, "--text", text.toString(), "--what", "topk", "--values", "1",
                "--out", gpu.toString(), "--backend", "opencl", "--device-memory", "64k", "--json");
        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(r.err().contains("moescope: warning: opencl: out of device memory"), r::toString);
        assertTrue(Files.exists(gpu));
        String kl = "\"mean_kl\"";
        assertTrue(java.out().contains(kl), java::toString);
        // Within rounding: the Vector API's summation order may change while the JIT warms up.
        assertEquals(field(java.out(), kl), field(r.out(), kl), 1e-5, "same mean KL on the CPU fallback");
    }

    private static double field(String json, String key) {
        var m = java.util.regex.Pattern.compile(java.util.regex.Pattern.quote(key) + "\\s*:\\s*([-0-9.eE]+)").matcher(json);
        assertTrue(m.find(), key + " in " + json);
        return Double.parseDouble(m.group(1));
    }

    @Test
    void aBadDeviceMemoryIsNamed(@TempDir Path dir) {
        Cli r = Cli.run("inspect", "--model", MIXTRAL.toString(), "--ids", IDS, "--out", dir.resolve("o.safetensors").toString(),
                "--backend", "java", "--device-memory", "lots");
        CliTest.assertOneLineFailure(r, 2);
        assertTrue(r.err().contains("--device-memory: 'lots' is not a memory size"), r::toString);
    }
}
