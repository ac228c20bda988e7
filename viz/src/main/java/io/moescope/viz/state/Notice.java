package io.moescope.viz.state;

import java.io.PrintWriter;
import java.io.StringWriter;

/**
 * Something the user must be told beyond the status bar: a failure, a fallback, a restored session.
 * Put into {@link WorkbenchState#notices}; the workbench's notifier shows it as a notification.
 *
 * @param title   a few words: "Model not opened", "Running on the CPU"
 * @param text    one line: the file and the problem
 * @param details shown on demand in the details pane (the cause's chain and stack); null for none
 */
public record Notice(Level level, String title, String text, String details) {
    public enum Level { INFO, WARNING, ERROR }

    public static Notice info(String title, String text) {
        return new Notice(Level.INFO, title, text, null);
    }

    public static Notice warning(String title, String text) {
        return new Notice(Level.WARNING, title, text, null);
    }

    /** A failure: its message in one line, and its whole chain with stack traces as the details. */
    public static Notice error(String title, Throwable cause) {
        return new Notice(Level.ERROR, title, oneLine(cause), details(cause));
    }

    /** The message alone, on one line; the class name only when there is no message. */
    public static String oneLine(Throwable t) {
        String m = t.getMessage() == null || t.getMessage().isBlank() ? t.toString() : t.getMessage();
        return m.strip().replaceAll("\\s*\\R\\s*", " ");
    }

    /** The cause's whole chain with stack traces, for the details pane. */
    public static String details(Throwable t) {
        StringWriter w = new StringWriter();
        t.printStackTrace(new PrintWriter(w));
        return w.toString();
    }
}
