package io.moescope.viz.bench;

import java.util.List;
import java.util.Locale;

/** How the benchmarks print a set of timings: median, tail and extremes, since one number hides the stalls. */
final class Timings {
    private Timings() {}

    static String summary(List<Double> ms) {
        double[] v = ms.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        if (v.length == 0) return "no samples";
        return String.format(Locale.ROOT, "median %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms, min %.2f ms (n=%d)",
                v[v.length / 2], v[(int) Math.min(v.length - 1, Math.floor(v.length * 0.9))],
                v[(int) Math.min(v.length - 1, Math.floor(v.length * 0.99))], v[v.length - 1], v[0], v.length);
    }
}
