package io.moescope.report.profile;

import io.moescope.analysis.RunProfile;
import io.moescope.backend.profile.Profile;
import java.util.Locale;

/** The Profile view's and the report's line over the table; its numbers read as in the command line's --profile table. */
public final class ProfileText {
    private ProfileText() {}

    /** The line over the table: where it ran, the totals, and what crossed between host and device. */
    public static String summary(RunProfile r) {
        Profile p = r.profile();
        return String.format(Locale.ROOT, "%s on %s · %d tokens · %s ms in %d calls of %d operations · %s MB moved"
                        + " · uploaded %s MB, downloaded %s MB", r.backend(), r.device(), r.tokens(), Profile.number(p.totalMs()),
                p.calls(), p.ops().size(), Profile.number(p.bytes() / 1e6), Profile.number(p.uploadBytes() / 1e6),
                Profile.number(p.downloadBytes() / 1e6));
    }
}
