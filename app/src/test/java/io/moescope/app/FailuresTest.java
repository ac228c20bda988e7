package io.moescope.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moescope.files.CheckpointException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

class FailuresTest {

    @Test
    void unexpectedExceptionsAreOneLineAndExitOne() {
        String text = fails(() -> { throw new IllegalStateException("wires\ncrossed"); }, false, 1);
        assertFalse(text.contains("\n"), text);
        assertTrue(text.startsWith("moescope: internal error: java.lang.IllegalStateException: wires crossed"), text);
        assertTrue(text.contains("--debug"), text);
    }

    @Test
    void errorsAreOneLineAndExitOneToo() {
        String text = fails(() -> { throw new NoClassDefFoundError("jdk/incubator/vector/Vector"); }, true, 1);
        assertFalse(text.contains("\n"), text);
        assertTrue(text.startsWith("moescope: internal error: java.lang.NoClassDefFoundError: jdk/incubator/vector/Vector"), text);
    }

    @Test
    void aSettingRefusedDuringClassSetupIsBadInput() {
        var refused = new IllegalArgumentException("-Dmoescope.java.kernel: 8x3 or 6x4, got '9x9'");
        assertEquals("moescope: -Dmoescope.java.kernel: 8x3 or 6x4, got '9x9'", fails(() -> { throw new ExceptionInInitializerError(refused); }, true, 2));
    }

    @Test
    void badInputIsExitTwo() {
        assertEquals(2, Failures.exitCode(new CheckpointException(Path.of("m"), "bad")));
        assertEquals(2, Failures.exitCode(new IllegalArgumentException("bad")));
        assertEquals(2, Failures.exitCode(new UnsupportedOperationException("gradients are not available yet")));
        assertEquals(1, Failures.exitCode(new NullPointerException()));
    }

    /**
     * Runs the command with Failures handling what it throws, errors too where the main command
     * passes them on, and returns its stderr after checking the exit code.
     */
    private static String fails(Callable<Integer> command, boolean passingErrorsOn, int exitCode) {
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(CommandSpec.wrapWithoutInspection(command)).setExecutionExceptionHandler(new Failures());
        if (passingErrorsOn) cl.setExecutionStrategy(Failures::runPassingErrorsOn);
        cl.setErr(new PrintWriter(err, true));
        assertEquals(exitCode, cl.execute());
        return err.toString().strip();
    }
}
