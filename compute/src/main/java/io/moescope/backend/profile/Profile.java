package io.moescope.backend.profile;

import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * A finished profile: per operation its calls, time and bytes, slowest first, plus the bytes that
 * crossed between host and device.
 *
 * @param ops             one entry per operation name, sorted by total time, longest first
 * @param uploadBytes     host to device
 * @param downloadBytes   device to host
 */
public record Profile(List<OpStats> ops, long uploadBytes, long downloadBytes) {

    public Profile {
        ops = ops.stream().sorted(Comparator.comparingLong(OpStats::totalNanos).reversed().thenComparing(OpStats::op)).toList();
    }

    public long totalNanos() {
        return ops.stream().mapToLong(OpStats::totalNanos).sum();
    }

    public double totalMs() {
        return totalNanos() / 1e6;
    }

    /** The entry of one operation, or null if it never ran. */
    public OpStats op(String name) {
        return ops.stream().filter(s -> s.op().equals(name)).findFirst().orElse(null);
    }

    /** A plain-text table, slowest operation first, for the terminal. */
    public String table() {
        StringBuilder sb = new StringBuilder();
        String row = "%-28s %8s %11s %10s %6s %12s%n";
        sb.append(String.format(Locale.ROOT, row, "operation", "calls", "total ms", "mean ms", "%", "MB moved"));
        double total = Math.max(1, totalNanos());
        for (OpStats s : ops) {
            sb.append(String.format(Locale.ROOT, row, s.op(), s.calls(), number(s.totalMs()), number(s.meanMs()),
                    percent(100.0 * s.totalNanos() / total), number(s.bytes() / 1e6)));
        }
        sb.append(String.format(Locale.ROOT, row, "total", calls(), number(totalMs()), "", "100.0", number(bytes() / 1e6)));
        sb.append(String.format(Locale.ROOT, "uploaded %s MB, downloaded %s MB%n", number(uploadBytes / 1e6), number(downloadBytes / 1e6)));
        return sb.toString();
    }

    /** Calls of all operations. */
    public long calls() {
        return ops.stream().mapToLong(OpStats::calls).sum();
    }

    /** Bytes moved by all operations. */
    public long bytes() {
        return ops.stream().mapToLong(OpStats::bytes).sum();
    }

    /** Milliseconds or megabytes as profiles show them, here and in the workbench: three decimals below 100, one from there. */
    public static String number(double v) {
        return String.format(Locale.ROOT, v >= 100 ? "%.1f" : "%.3f", v);
    }

    /** A share of the time, in percent, as profiles show it. */
    public static String percent(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }
}
