package io.moescope.report.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moescope.analysis.RunProfile;
import io.moescope.backend.profile.OpStats;
import io.moescope.backend.profile.Profile;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Profile view's rows and text, from profiles made by hand. */
class ProfileRowTest {
    private static final Profile PROFILE = new Profile(List.of(
            new OpStats("rmsNorm", 5, 1_000_000, 500_000),
            new OpStats("linear", 10, 6_000_000, 4_000_000),
            new OpStats("attention", 2, 3_000_000, 1_000_000)), 1_000, 2_000);

    @Test
    void rowsAreSlowestFirstWithTheirShareOfTheTime() {
        List<ProfileRow> rows = ProfileRow.of(PROFILE);
        assertEquals(List.of("linear", "attention", "rmsNorm"), rows.stream().map(ProfileRow::op).toList());
        ProfileRow linear = rows.get(0);
        assertEquals(10, linear.calls());
        assertEquals(6.0, linear.totalMs(), 1e-12);
        assertEquals(0.6, linear.meanMs(), 1e-12);
        assertEquals(60.0, linear.percent(), 1e-9);
        assertEquals(4.0, linear.mb(), 1e-12);
        assertEquals(30.0, rows.get(1).percent(), 1e-9);
        assertEquals(100.0, rows.stream().mapToDouble(ProfileRow::percent).sum(), 1e-9);
    }

    @Test
    void aProfileOfNoTimeHasNoShares() {
        List<ProfileRow> rows = ProfileRow.of(new Profile(List.of(new OpStats("reshape", 3, 0, 0)), 0, 0));
        assertEquals(0.0, rows.get(0).percent());
        assertTrue(ProfileRow.of(new Profile(List.of(), 0, 0)).isEmpty());
    }

    @Test
    void numbersReadAsOnTheCommandLine() {
        assertEquals("1.235", Profile.number(1.23456));
        assertEquals("123.5", Profile.number(123.456));
        assertEquals("60.0", Profile.percent(60));
    }

    @Test
    void theSummaryNamesBackendDeviceAndTotals() {
        assertEquals("java on CPU (amd64) · 4 tokens · 10.000 ms in 17 calls of 3 operations · 5.500 MB moved"
                + " · uploaded 0.001 MB, downloaded 0.002 MB", ProfileText.summary(new RunProfile("java", "CPU (amd64)", 4, PROFILE)));
    }
}
