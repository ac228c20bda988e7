package io.moescope.train;

import java.io.PrintStream;
import java.util.Locale;

/** One self-overwriting line on a terminal: step, loss, tokens/s and time left. */
public final class ProgressBar implements AutoCloseable {
    /**
     * Whether a self-overwriting line is on the terminal now, whoever drew it: a message printed
     * then must start on a line of its own, not at the end of the bar.
     */
    private static final java.util.concurrent.atomic.AtomicBoolean open = new java.util.concurrent.atomic.AtomicBoolean();

    /** For whoever draws a progress line of their own (the lab commands). */
    public static void opened() {
        open.set(true);
    }

    /** A new command starts with no line open, whatever an earlier one in this JVM left. */
    public static void forget() {
        open.set(false);
    }

    /** Ends the progress line, if one is open: call before printing a message. @return whether one was */
    public static boolean endLine(java.io.PrintWriter err) {
        if (!open.getAndSet(false)) return false;
        err.println();
        err.flush();
        return true;
    }

    private final PrintStream out;
    private final int total;
    private final long started = System.nanoTime();
    private final int firstStep;

    public ProgressBar(PrintStream out, int firstStep, int total) {
        this.out = out;
        this.firstStep = firstStep;
        this.total = total;
    }

    public void update(int step, double loss, double tokensPerSecond) {
        double elapsed = (System.nanoTime() - started) / 1e9;
        int done = step - firstStep;
        double eta = done > 0 ? elapsed / done * (total - step) : Double.NaN;
        int width = 24, filled = (int) Math.round(width * (double) step / total);
        String bar = "#".repeat(filled) + ".".repeat(width - filled);
        out.print(String.format(Locale.ROOT, "\r[%s] %d/%d loss %.4f %,.0f tok/s ETA %s ", bar, step, total, loss,
                tokensPerSecond, duration(eta)));
        out.flush();
        open.set(true);
    }

    public void finish() {
        if (open.getAndSet(false)) out.println();
    }

    /** On failure: the message that follows starts a line of its own. */
    @Override
    public void close() {
        finish();
    }

    static String duration(double seconds) {
        if (Double.isNaN(seconds)) return "--";
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, s / 60 % 60)
                : String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }
}
