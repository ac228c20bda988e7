package io.moescope.report.export;

import io.moescope.analysis.RunProfile;
import io.moescope.backend.profile.Profile;
import io.moescope.report.chart.ProfileChart;
import io.moescope.report.profile.ProfileRow;
import io.moescope.report.profile.ProfileText;
import java.util.ArrayList;
import java.util.List;

/**
 * The analysed run's profile in a report: the Profile view's table and share chart, after what the
 * report already holds, with the view's summary line under the report's own.
 */
public final class ProfileReport {
    private ProfileReport() {}

    /** The report with the profile added; the report itself where there is none. */
    public static ReportContent with(ReportContent base, RunProfile run) {
        if (run == null || run.profile().ops().isEmpty()) return base;
        List<ProfileRow> rows = ProfileRow.of(run.profile());
        List<List<String>> cells = new ArrayList<>();
        for (ProfileRow r : rows) {
            cells.add(List.of(r.op(), Long.toString(r.calls()), Profile.number(r.totalMs()), Profile.number(r.meanMs()),
                    Profile.percent(r.percent()), Profile.number(r.mb())));
        }
        List<String> summary = new ArrayList<>(base.summary());
        summary.add("Profile: " + ProfileText.summary(run));
        List<ReportContent.Figure> figures = new ArrayList<>(base.figures());
        figures.add(new ReportContent.Figure("profile", "Share of the analysis's time per backend operation",
                Drawing.of(ProfileChart.of(rows), 720, 400)));
        List<ReportContent.Table> tables = new ArrayList<>(base.tables());
        tables.add(new ReportContent.Table("Where the analysis spent its time, per backend operation (slowest first)",
                List.of("operation", "calls", "total ms", "mean ms", "% of total", "MB moved"), cells));
        return new ReportContent(base.title(), summary, figures, tables, base.json());
    }
}
