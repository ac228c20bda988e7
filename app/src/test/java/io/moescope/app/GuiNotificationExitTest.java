package io.moescope.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moescope.testing.Conformance;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17, item 6: a headless screenshot taken while a notification shows (a session saved with a
 * backend this machine lacks) exits cleanly. It crashed on exit: Notifier.show's "view has already
 * been closed", then a SIGSEGV in GTK's window close, exit 134 and an hs_err file. Run in a child
 * JVM, since JavaFX starts once per JVM and a crash must not take the test runner with it.
 */
class GuiNotificationExitTest {

    @Test
    @Timeout(300)
    void aScreenshotWithANotificationShowingExitsCleanly(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(System.getenv("DISPLAY") != null && !System.getenv("DISPLAY").isBlank(),
                "no DISPLAY: run under xvfb-run (as .ci/run does)");
        for (String backend : List.of("ptx", "no-such-backend")) {
            Path session = Files.writeString(dir.resolve(backend + ".json"), """
                    {"version": 1, "model": "%s", "backend": "%s", "prompt": "In the beginning", "token": -1, "layer": 0,
                     "head": 0, "expert": -1, "view": "routing", "logScale": false, "capacityFactor": 1.25, "presenter": false}"""
                    .formatted(Conformance.dir().resolve("mixtral-a").toAbsolutePath().toString().replace("\\", "\\\\"), backend));
            Path png = dir.resolve(backend + ".png");
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                    "-cp", System.getProperty("java.class.path"), "io.moescope.app.Main",
                    "gui", "--session", session.toString(), "--screenshot", png.toString())
                    .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(dir.resolve(backend + ".log").toFile()).start();
            assertTrue(p.waitFor(240, TimeUnit.SECONDS), "the workbench did not exit");
            assertEquals(0, p.exitValue(), Files.readString(dir.resolve(backend + ".log")));
            assertTrue(Files.isRegularFile(png), "no screenshot");
            try (Stream<Path> s = Files.list(dir)) {
                assertTrue(s.noneMatch(f -> f.getFileName().toString().startsWith("hs_err")), "the JVM crashed");
            }
        }
    }
}
