package io.moescope.report.profile;

import io.moescope.backend.profile.OpStats;
import io.moescope.backend.profile.Profile;
import java.util.List;

/**
 * One operation of a profile as the Profile view shows it: a row of its table and a bar of its chart.
 *
 * @param percent the operation's share of the profile's total time, 0 to 100
 * @param bytes   bytes read and written (inputs plus outputs), as the profiler counted them
 */
public record ProfileRow(String op, long calls, double totalMs, double meanMs, double percent, long bytes) {

    /** The profile's operations in its own order: longest total time first. */
    public static List<ProfileRow> of(Profile profile) {
        long total = profile.totalNanos();
        return profile.ops().stream().map(s -> of(s, total)).toList();
    }

    private static ProfileRow of(OpStats s, long totalNanos) {
        // a profile of nothing but views (reshape on a coarse clock) can add up to 0 ns
        double percent = totalNanos == 0 ? 0 : 100.0 * s.totalNanos() / totalNanos;
        return new ProfileRow(s.op(), s.calls(), s.totalMs(), s.meanMs(), percent, s.bytes());
    }

    public double mb() {
        return bytes / 1e6;
    }
}
