package io.moescope.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every {@code ./moescope} command in the README's code blocks, run as pasted into a fresh clone:
 * in a JVM of its own started as the launcher starts it, from a folder where the repository's
 * folders are at hand and outputs land apart. Commands with placeholders (DIR, FILE, "...", a|b
 * choices, [optional] parts) and the bare window-opening {@code ./moescope} are left out; budgets are
 * cut ({@link ReadmeCommands#withSmallBudget}). Where the README shows what a command prints, the
 * output must be exactly that.
 */
class ReadmeExamplesTest {
    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();

    @TempDir
    static Path work;

    @TestFactory
    Stream<DynamicTest> everyRunnableReadmeCommand() throws IOException {
        List<ReadmeCommands.Example> examples = ReadmeCommands.parse(Files.readString(ROOT.resolve("README.md")));
        assertTrue(examples.stream().filter(ReadmeCommands.Example::runnable).count() >= 10,
                "the README's runnable examples were not found: " + examples);
        return examples.stream().map(e -> DynamicTest.dynamicTest(e.line(), () -> run(e)));
    }

    private static void run(ReadmeCommands.Example example) throws Exception {
        Assumptions.assumeTrue(example.runnable(), () -> "not runnable as pasted: " + example.whyNot());
        for (Path input : example.inputs(ROOT)) link(input);
        List<String> args = ReadmeCommands.withSmallBudget(example.args(), work, ROOT);
        Path stdout = Files.createTempFile(work, "stdout", ".txt"), stderr = Files.createTempFile(work, "stderr", ".txt");
        Process p = new ProcessBuilder(launcherCommand(args)).directory(work.toFile())
                .redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
        boolean finished = p.waitFor(10, TimeUnit.MINUTES);
        if (!finished) p.destroyForcibly().waitFor();
        String printed = Files.readString(stdout, StandardCharsets.UTF_8), said = Files.readString(stderr, StandardCharsets.UTF_8);
        String run = String.join(" ", args) + "\n--- stdout:\n" + printed + "--- stderr:\n" + said;
        assertTrue(finished, () -> "still running after 10 minutes: " + run);
        assertEquals(0, p.exitValue(), () -> run);
        for (String out : example.outputs()) {
            Path file = work.resolve(out);
            assertTrue(Files.isDirectory(file) || Files.isRegularFile(file) && Files.size(file) > 0, () -> out + " not written: " + run);
        }
        if (!example.expected().isEmpty()) assertEquals(example.expected(), printed.lines().toList(), () -> "what the README shows: " + run);
    }

    /** The repository's folder that a relative input path starts with, linked into the working folder. */
    private static void link(Path input) throws IOException {
        Path name = input.getName(0), at = work.resolve(name);
        if (!Files.exists(at, java.nio.file.LinkOption.NOFOLLOW_LINKS)) Files.createSymbolicLink(at, ROOT.resolve(name));
    }

    /** What ./moescope runs: the same JVM options, this test's class path instead of the built one. */
    private static List<String> launcherCommand(List<String> args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "--add-modules", "jdk.incubator.vector", "-Xmx2g",
                // a crash report outlives the temporary folder, in the module's target/
                "-XX:ErrorFile=" + Path.of("target", "readme-hs_err_%p.log").toAbsolutePath(),
                "-Dmoescope.home=" + ROOT, "-cp", System.getProperty("java.class.path"), "io.moescope.app.Main"));
        cmd.addAll(args);
        assertFalse(args.isEmpty());
        return cmd;
    }
}
