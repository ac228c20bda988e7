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
import picocli.CommandLine.Command;

class FailuresTest {

    @Command(name = "boom")
    static final class Boom implements Callable<Integer> {
        @Override
        public Integer call() {
            throw new IllegalStateException("wires\ncrossed");
        }
    }

    @Test
    void unexpectedExceptionsAreOneLineAndExitOne() {
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new Boom()).setExecutionExceptionHandler(new Failures());
        cl.setErr(new PrintWriter(err, true));
        assertEquals(1, cl.execute());
        String text = err.toString().strip();
        assertFalse(text.contains("\n"), text);
        assertTrue(text.startsWith("moescope: internal error: java.lang.IllegalStateException: wires crossed"), text);
        assertTrue(text.contains("--debug"), text);
    }

    @Command(name = "crash")
    static final class Crash implements Callable<Integer> {
        @Override
        public Integer call() {
            throw new NoClassDefFoundError("jdk/incubator/vector/Vector");
        }
    }

    @Test
    void errorsAreOneLineAndExitOneToo() {
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new Crash()).setExecutionExceptionHandler(new Failures());
        cl.setExecutionStrategy(Failures::runPassingErrorsOn);
        cl.setErr(new PrintWriter(err, true));
        assertEquals(1, cl.execute());
        String text = err.toString().strip();
        assertFalse(text.contains("\n"), text);
        assertTrue(text.startsWith("moescope: internal error: java.lang.NoClassDefFoundError: jdk/incubator/vector/Vector"), text);
    }

    @Command(name = "setting")
    static final class BadSetting implements Callable<Integer> {
        @Override
        public Integer call() {
            throw new ExceptionInInitializerError(new IllegalArgumentException("-Dmoescope.java.kernel: 8x3 or 6x4, got '9x9'"));
        }
    }

    @Test
    void aSettingRefusedDuringClassSetupIsBadInput() {
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new BadSetting()).setExecutionExceptionHandler(new Failures());
        cl.setExecutionStrategy(Failures::runPassingErrorsOn);
        cl.setErr(new PrintWriter(err, true));
        assertEquals(2, cl.execute());
        assertEquals("moescope: -Dmoescope.java.kernel: 8x3 or 6x4, got '9x9'", err.toString().strip());
    }

    @Test
    void badInputIsExitTwo() {
        assertEquals(2, Failures.exitCode(new CheckpointException(Path.of("m"), "bad")));
        assertEquals(2, Failures.exitCode(new IllegalArgumentException("bad")));
        assertEquals(2, Failures.exitCode(new UnsupportedOperationException("gradients are not available yet")));
        assertEquals(1, Failures.exitCode(new NullPointerException()));
    }
}
