package io.moescope.app;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs the command line in-process, as the launcher would, capturing what it prints. */
record Cli(int exitCode, String out, String err) {

    static Cli run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
        return new Cli(code, out.toString(), err.toString());
    }

    /** The stderr lines, for checking that a failure says one thing once. */
    String[] errLines() {
        return err.strip().isEmpty() ? new String[0] : err.strip().split("\\R");
    }

    @Override
    public String toString() {
        return "exit " + exitCode + "\n--- out:\n" + out + "--- err:\n" + err;
    }
}
