package io.moescope.app;

import io.moescope.backend.DeviceOutOfMemoryException;
import io.moescope.files.CheckpointException;
import io.moescope.files.IoProblems;
import io.moescope.files.OutputGuard;
import io.moescope.train.ProgressBar;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * Turns exceptions into what a user of a command-line tool expects: one line on stderr and an exit
 * code a script can test. Stack traces are for --debug only.
 */
final class Failures implements CommandLine.IExecutionExceptionHandler {
    static final int BAD_INPUT = 2;
    static final int INTERNAL = 1;

    /**
     * Runs the command like picocli's default, but hands Errors (OutOfMemoryError, a missing
     * module's NoClassDefFoundError) to the handler too, which picocli would let escape as a trace.
     */
    static int runPassingErrorsOn(ParseResult parsed) {
        List<CommandLine> commands = parsed.asCommandLineList();
        CommandLine last = commands.get(commands.size() - 1);
        // What the command reads is protected from what it writes, for this command only.
        OutputGuard.begin();
        ProgressBar.forget();
        try {
            int code = new CommandLine.RunLast().execute(parsed);
            return code == 0 ? outputWritten(last) : code;
        } catch (Error e) {
            throw new CommandLine.ExecutionException(last, e.toString(), e);
        } finally {
            OutputGuard.end();
        }
    }

    /**
     * Results on standard output that could not be written (a full device, a closed pipe) are an
     * error, not a silent exit 0: PrintWriter and PrintStream swallow the failure, so ask them.
     */
    private static int outputWritten(CommandLine cl) {
        PrintWriter out = cl.getOut();
        boolean failed = out.checkError() | System.out.checkError();
        if (!failed) return 0;
        PrintWriter err = cl.getErr();
        ProgressBar.endLine(err);
        err.println("moescope: cannot write to standard output (a full device, or a closed pipe): the results were not written");
        err.flush();
        return BAD_INPUT;
    }

    @Override
    public int handleExecutionException(Exception wrapper, CommandLine cl, ParseResult parsed) {
        // picocli passes the cause when it is an Exception, else the ExecutionException itself.
        Throwable e = wrapper instanceof CommandLine.ExecutionException && wrapper.getCause() instanceof Error
                ? wrapper.getCause() : wrapper;
        // A class whose static setup read a setting (-Dmoescope.java.kernel=...) and refused it:
        // the refusal is the message, not the error that wraps it.
        if (e instanceof ExceptionInInitializerError && e.getCause() != null) e = e.getCause();
        PrintWriter err = cl.getErr();
        int code = exitCode(e);
        ProgressBar.endLine(err);   // the message starts a line of its own, not at the end of a progress bar
        err.println("moescope: " + describe(e, code));
        if (debug(parsed)) e.printStackTrace(err);
        err.flush();
        return code;
    }

    /** Usage errors: the problem and where to look, in one line, instead of picocli's full usage text. */
    static int usage(ParameterException e, String[] args) {
        CommandLine cl = e.getCommandLine();
        PrintWriter err = cl.getErr();
        String message = oneLine(e.getMessage()).replaceFirst("^Error: ", "");
        err.println("moescope: " + message + " (see '" + cl.getCommandSpec().qualifiedName() + " --help')");
        err.flush();
        return BAD_INPUT;
    }

    /**
     * Bad input is what the user can fix: a refused checkpoint, a malformed argument, or something
     * not supported (yet), such as gradients before they exist, or a GPU too small for the run
     * under --no-fallback (fixed with a smaller run or another backend).
     */
    static int exitCode(Throwable e) {
        if (e instanceof CheckpointException || e instanceof IllegalArgumentException
                || e instanceof UnsupportedOperationException || e instanceof UserError
                || e instanceof DeviceOutOfMemoryException || e instanceof OutOfMemoryError || io(e) != null) {
            return BAD_INPUT;
        }
        return INTERNAL;
    }

    /**
     * A file that cannot be read or written (a read-only or full folder, a missing file) is the
     * user's to fix, whoever threw it: the IOException itself, or one wrapped in an UncheckedIOException.
     */
    private static IOException io(Throwable e) {
        if (e instanceof IOException x) return x;
        if (e instanceof UncheckedIOException x) return x.getCause();
        return null;
    }

    private static String describe(Throwable e, int code) {
        if (e instanceof OutOfMemoryError) {
            return "out of memory (" + oneLine(String.valueOf(e.getMessage())) + "): give Java more with -Xmx, e.g. JDK_JAVA_OPTIONS=-Xmx16g, or make the run smaller";
        }
        IOException io = io(e);
        if (io != null) return "cannot read or write a file: " + oneLine(IoProblems.describe(io));
        // A message-less exception must still say something a user can act on, never a bare class name.
        String message = e.getMessage() == null || e.getMessage().isBlank()
                ? "refused without a reason given (run with --debug to see where)" : oneLine(e.getMessage());
        if (code == BAD_INPUT) return message;
        String kind = e instanceof IOException || e instanceof UncheckedIOException ? "I/O error" : "internal error";
        return kind + ": " + e.getClass().getName() + ": " + message + " (run with --debug for the stack trace)";
    }

    static String oneLine(String message) {
        return message.strip().replaceAll("\\s*\\R\\s*", " ");
    }

    /** --debug may follow any command, so look for it at every level of the parse. */
    private static boolean debug(ParseResult parsed) {
        for (ParseResult r = parsed; r != null; r = r.subcommand()) {
            if (r.hasMatchedOption("--debug")) return true;
        }
        return false;
    }
}
