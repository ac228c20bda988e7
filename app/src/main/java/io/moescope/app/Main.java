package io.moescope.app;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** The {@code moescope} command. With no subcommand it opens the workbench, as double-clicking would. */
@Command(name = "moescope",
        scope = ScopeType.INHERIT, // subcommands get --help, --version and the version text too
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        description = "A desktop research workbench for Mixture-of-Experts language models.%n"
                + "Without a command, opens the workbench window.",
        subcommands = {InfoCommand.class, InspectCommand.class, RandomCheckpointCommand.class, TokenizeCommand.class, GuiCommand.class,
                DevicesCommand.class, BenchCommand.class, TrainCommand.class, GradientsCommand.class, ReportCommand.class, SweepCommand.class, CompareCommand.class, BenchUiCommand.class,
                CommandLine.HelpCommand.class},
        footer = {"", "Exit codes: 0 ok, 2 bad input, 1 internal error."})
public final class Main implements Callable<Integer> {

    /** Only read through the parse result (see {@link Failures}); declared here so every command accepts it. */
    @Option(names = "--debug", scope = ScopeType.INHERIT, description = "Print stack traces of errors.")
    boolean debug;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line; tests call this and set their own out/err. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionStrategy(Failures::runPassingErrorsOn);
        cl.setExecutionExceptionHandler(new Failures());
        cl.setParameterExceptionHandler(Failures::usage);
        return cl;
    }

    /** Same as {@link #commandLine()}, writing to the given streams. */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        CommandLine cl = commandLine();
        cl.setOut(out);
        cl.setErr(err);
        return cl;
    }

    @Override
    public Integer call() {
        return new GuiCommand().call();
    }
}
