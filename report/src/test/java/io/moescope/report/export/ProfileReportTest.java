package io.moescope.report.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moescope.analysis.RunProfile;
import io.moescope.backend.profile.OpStats;
import io.moescope.backend.profile.Profile;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProfileReportTest {
    private static final ReportContent BASE = new ReportContent("t", List.of("Model: m"), List.of(), List.of(), "{}");

    @Test
    void addsTheTableTheChartAndTheSummaryLine() {
        Profile p = new Profile(List.of(new OpStats("linear", 3, 6_000_000, 3_000_000), new OpStats("experts", 1, 2_000_000, 500_000)), 0, 4096);
        ReportContent r = ProfileReport.with(BASE, new RunProfile("opencl", "NVIDIA H100", 7, p));

        ReportContent.Table t = r.tables().getLast();
        assertEquals(List.of("operation", "calls", "total ms", "mean ms", "% of total", "MB moved"), t.header());
        assertEquals(List.of("linear", "3", "6.000", "2.000", "75.0", "3.000"), t.rows().get(0), "slowest first");
        assertEquals(List.of("experts", "1", "2.000", "2.000", "25.0", "0.500"), t.rows().get(1));
        assertEquals("Model: m", r.summary().getFirst());
        assertTrue(r.summary().getLast().startsWith("Profile: opencl on NVIDIA H100 · 7 tokens · 8.000 ms in 4 calls"), r.summary().getLast());
        ReportContent.Figure f = r.figures().getLast();
        assertEquals("profile", f.name());
        assertEquals(720, f.drawing().image(2).getWidth() / 2, "the chart at 2x");
    }

    @Test
    void noProfileLeavesTheReportAsItIs() {
        assertSame(BASE, ProfileReport.with(BASE, null));
        assertSame(BASE, ProfileReport.with(BASE, new RunProfile("java", "CPU", 1, new Profile(List.of(), 0, 0))));
    }
}
