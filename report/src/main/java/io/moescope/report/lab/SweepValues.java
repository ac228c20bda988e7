package io.moescope.report.lab;

import io.moescope.lab.NumberFormat;
import io.moescope.lab.SweepKind;
import java.util.ArrayList;
import java.util.List;

/** A sweep's values as typed (command line --values, the sweep view's field): "1,2,4", or format names for precision. */
public final class SweepValues {
    private SweepValues() {}

    /** "1,2,4" as numbers; for precision, format names (or their indices). Empty list: the defaults. */
    public static List<Double> parse(SweepKind kind, String spec) {
        List<Double> out = new ArrayList<>();
        if (spec == null || spec.isBlank()) return out;
        for (String part : spec.split(",", -1)) {
            String s = part.strip();
            if (s.isEmpty()) throw new IllegalArgumentException("'" + spec + "' has an empty entry");
            if (kind == SweepKind.PRECISION && !s.matches("\\d+")) {
                out.add((double) NumberFormat.parse(s).ordinal());
                continue;
            }
            double v;
            try {
                v = Double.parseDouble(s);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + s + "' is not a number (" + kind.cliName() + " takes numbers such as 1,2,4)");
            }
            if (!Double.isFinite(v) || v < 0) throw new IllegalArgumentException("'" + s + "' must be a non-negative number");
            boolean integral = kind != SweepKind.CAPACITY;
            if (integral && v != Math.rint(v)) throw new IllegalArgumentException(kind.cliName() + " takes whole numbers, got '" + s + "'");
            if (kind == SweepKind.PRECISION && v >= NumberFormat.values().length) {
                throw new IllegalArgumentException("precision index " + s + " is not a format; use names such as bf16, int8");
            }
            if (kind == SweepKind.TOPK && v < 1) throw new IllegalArgumentException("k must be at least 1, got '" + s + "'");
            out.add(v);
        }
        return out;
    }
}
