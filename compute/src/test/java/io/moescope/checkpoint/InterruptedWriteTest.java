package io.moescope.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.moescope.files.CheckpointException;
import io.moescope.files.InFlightFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ctrl-C during a write leaves no partial file and no temporary file: a child JVM writes large
 * files in a loop and is sent SIGINT while a temporary file exists; afterwards every file left
 * must be a complete output.
 */
class InterruptedWriteTest {
    @TempDir Path dir;

    @Test
    void writesLeaveNothingInFlight() {
        Path out = dir.resolve("x.safetensors");
        SafetensorsWriter.write(out, List.of(TensorData.f32("a", new float[] {1f}, 1)), Map.of());
        assertEquals(List.of(), InFlightFiles.pending());
        try {
            SafetensorsWriter.write(dir.resolve("no/such/folder/y.safetensors"), List.of(TensorData.f32("a", new float[] {1f}, 1)), Map.of());
            fail("wrote into a missing folder");
        } catch (CheckpointException expected) {
            assertEquals(List.of(), InFlightFiles.pending());
        }
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    @Timeout(120)
    void ctrlCMidWriteLeavesNoTemporaryFile() throws Exception {
        for (int round = 0; round < 2; round++) {
            Path log = dir.resolve("child-" + round + ".log");
            Path outDir = Files.createDirectories(dir.resolve("out-" + round));
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx512m", "-cp", System.getProperty("java.class.path"), InterruptedWriter.class.getName(), outDir.toString())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            try {
                awaitTemporaryFile(outDir, p, log);
                // SIGINT is what Ctrl-C sends; the JVM runs its shutdown hooks on it as on SIGTERM.
                new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).inheritIO().start().waitFor();
                assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the writer did not stop on SIGINT");
            } finally {
                p.destroyForcibly();
            }
            try (Stream<Path> files = Files.list(outDir)) {
                for (Path f : files.toList()) {
                    assertTrue(!f.getFileName().toString().endsWith(".tmp"), "temporary file left behind: " + f);
                    try (SafetensorsFile complete = SafetensorsFile.open(f)) {
                        assertEquals(InterruptedWriter.VALUES * 4L, complete.info("x").byteSize(), "partial file " + f);
                    }
                }
            }
        }
    }

    /** The same for every other file written (reports, sessions, logs): SIGTERM mid-write leaves no .tmp (issue 17). */
    @Test
    @EnabledOnOs(OS.LINUX)
    @Timeout(120)
    void sigtermMidReportWriteLeavesNoTemporaryFile() throws Exception {
        Path log = dir.resolve("child-atomic.log");
        Path outDir = Files.createDirectories(dir.resolve("out-atomic"));
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", System.getProperty("java.class.path"), InterruptedWriter.class.getName(), outDir.toString(), "atomic")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            awaitTemporaryFile(outDir, p, log);
            new ProcessBuilder("kill", "-TERM", Long.toString(p.pid())).inheritIO().start().waitFor();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the writer did not stop on SIGTERM");
        } finally {
            p.destroyForcibly();
        }
        try (Stream<Path> files = Files.list(outDir)) {
            for (Path f : files.toList()) {
                assertTrue(!f.getFileName().toString().endsWith(".tmp"), "temporary file left behind: " + f);
                assertEquals(InterruptedWriter.VALUES * 4L, Files.size(f), "partial file " + f);
            }
        }
    }

    private static void awaitTemporaryFile(Path outDir, Process p, Path log) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) fail("the writer died: " + Files.readString(log));
            try (Stream<Path> s = Files.list(outDir)) {
                if (s.anyMatch(f -> f.getFileName().toString().endsWith(".tmp"))) return;
            }
            Thread.sleep(5);
        }
        fail("no temporary file appeared");
    }
}
