package io.moescope.report.lab;

import io.moescope.analysis.Analysis;
import io.moescope.analysis.AttentionMaps;
import io.moescope.analysis.DifferenceMaps;
import io.moescope.lab.Comparison;
import io.moescope.lab.SweepResult;
import io.moescope.report.export.AwtHeatmap;
import io.moescope.report.export.Drawing;
import io.moescope.report.export.ReportContent;
import io.moescope.report.heatmap.ColourScale;
import io.moescope.report.lab.SweepCharts;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * The mechanism lab's part of a report, drawn with AWT so that {@code moescope sweep} needs no
 * display: a sweep's charts and table, or a comparison's difference heatmaps and metrics. The
 * workbench adds these to its analysis report when a sweep or comparison has been run.
 */
public final class LabReport {
    private LabReport() {}

    /** Difference heatmaps of attention for at most this many layers. */
    static final int MAX_ATTENTION_LAYERS = 4;

    public static ReportContent sweep(SweepResult r, Path modelDir, String backend) {
        List<String> summary = new ArrayList<>();
        summary.add("Model: " + modelDir.toAbsolutePath().normalize() + " · backend " + backend + " · "
                + ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
        summary.add(sweepLine(r));
        return new ReportContent("MoEScope sweep: " + r.kind().axisLabel() + " on " + modelDir.getFileName(), summary,
                sweepFigures(r), List.of(LabTables.sweep(r)), LabJson.pretty(LabJson.sweep(r)));
    }

    static String sweepLine(SweepResult r) {
        return "Sweep over " + r.kind().axisLabel() + ": " + r.points().size() + " values, each measured against the unchanged model on "
                + r.tokens() + " tokens of text.";
    }

    public static List<ReportContent.Figure> sweepFigures(SweepResult r) {
        List<ReportContent.Figure> out = new ArrayList<>();
        for (SweepCharts.Named c : SweepCharts.of(r)) {
            out.add(new ReportContent.Figure(c.name(), c.caption(), Drawing.of(c.chart(), 720, 400)));
        }
        return out;
    }

    public static List<ReportContent.Figure> comparisonFigures(Comparison c) {
        Analysis b = c.baseline(), v = c.variant();
        List<String> tokens = new ArrayList<>();
        for (int t = 0; t < b.tokenCount(); t++) tokens.add(t + " " + b.tokens().get(t));
        List<ReportContent.Figure> out = new ArrayList<>();
        for (int l = 0; l < Math.min(b.layers(), MAX_ATTENTION_LAYERS); l++) {
            float[] d = DifferenceMaps.attention(b, v, l, AttentionMaps.Reduction.MEAN, 0);
            out.add(new ReportContent.Figure("compare-attention-layer-" + l,
                    "Attention of layer " + l + ", variant − baseline (mean over heads; red: more, blue: less)",
                    AwtHeatmap.drawing("attention difference, layer " + l, d, b.tokenCount(), b.tokenCount(),
                            ColourScale.diverging(DifferenceMaps.maxAbs(d, 1e-6)), null, tokens, tokens, 520)));
        }
        if (b.hasMoe() && v.hasMoe()) {
            List<String> layers = new ArrayList<>();
            for (int x : b.load().layers()) layers.add("layer " + x);
            float[] change = DifferenceMaps.routingChange(b, v);
            out.add(new ReportContent.Figure("compare-routing", "Routing changes: 1 − shared/union experts per token and MoE layer (0: unchanged)",
                    AwtHeatmap.drawing("routing change per token", change, layers.size(), b.tokenCount(),
                            ColourScale.linear(0, 1), null, layers, tokens, 640)));
            float[] load = DifferenceMaps.load(b, v);
            List<String> experts = new ArrayList<>();
            for (int e = 0; e < b.load().experts(); e++) experts.add("E" + e);
            out.add(new ReportContent.Figure("compare-load", "Tokens per expert, variant − baseline (MoE layers x experts)",
                    AwtHeatmap.drawing("load difference", load, layers.size(), experts.size(),
                            ColourScale.diverging(DifferenceMaps.maxAbs(load, 1)), null, layers, experts, 480)));
        }
        return out;
    }

    /** The report of an analysis with the lab's sections added; either may be null. */
    public static ReportContent withLab(ReportContent base, Comparison comparison, SweepResult sweep) {
        if (comparison == null && sweep == null) return base;
        List<String> summary = new ArrayList<>(base.summary());
        List<ReportContent.Figure> figures = new ArrayList<>(base.figures());
        List<ReportContent.Table> tables = new ArrayList<>(base.tables());
        StringBuilder json = new StringBuilder("{\n\"analysis\": ").append(base.json());
        if (comparison != null) {
            summary.add("Compared with variant " + comparison.mechanism().label() + ": " + LabJson.describe(comparison.mechanism()) + ".");
            figures.addAll(comparisonFigures(comparison));
            tables.add(LabTables.metrics(comparison));
            if (comparison.metrics().moeLayers().length > 0) tables.add(LabTables.perLayer(comparison));
            json.append(",\n\"comparison\": ").append(LabJson.pretty(LabJson.comparison(comparison)));
        }
        if (sweep != null) {
            summary.add(sweepLine(sweep));
            figures.addAll(sweepFigures(sweep));
            tables.add(LabTables.sweep(sweep));
            json.append(",\n\"sweep\": ").append(LabJson.pretty(LabJson.sweep(sweep)));
        }
        return new ReportContent(base.title(), summary, figures, tables, json.append("\n}").toString());
    }
}
