package io.moescope.viz.view;

import io.moescope.backend.profile.OpStats;
import io.moescope.backend.profile.Profile;
import io.moescope.viz.workbench.RunProfile;
import java.util.Locale;

/** How a profile's numbers read in the Profile view and the report, as in the command line's --profile table. */
public final class ProfileText {
    private ProfileText() {}

    /** Milliseconds or megabytes: three decimals below 100, one from there. */
    public static String number(double v) {
        return String.format(Locale.ROOT, v >= 100 ? "%.1f" : "%.3f", v);
    }

    public static String percent(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    /** The line over the table: where it ran, the totals, and what crossed between host and device. */
    public static String summary(RunProfile r) {
        Profile p = r.profile();
        long calls = p.ops().stream().mapToLong(OpStats::calls).sum();
        long bytes = p.ops().stream().mapToLong(OpStats::bytes).sum();
        return String.format(Locale.ROOT, "%s on %s · %d tokens · %s ms in %d calls of %d operations · %s MB moved"
                        + " · uploaded %s MB, downloaded %s MB", r.backend(), r.device(), r.tokens(), number(p.totalMs()), calls,
                p.ops().size(), number(bytes / 1e6), number(p.uploadBytes() / 1e6), number(p.downloadBytes() / 1e6));
    }
}
