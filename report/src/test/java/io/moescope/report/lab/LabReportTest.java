package io.moescope.report.lab;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moescope.analysis.Analysis;
import io.moescope.analysis.AttentionMaps;
import io.moescope.analysis.DifferenceMaps;
import io.moescope.analysis.LayerRouting;
import io.moescope.analysis.LoadedModel;
import io.moescope.backend.AttentionPattern;
import io.moescope.lab.Mechanism;
import io.moescope.lab.NumberFormat;
import io.moescope.lab.Precision;
import io.moescope.lab.RoutingChange;
import io.moescope.lab.SweepKind;
import io.moescope.lab.SweepPoint;
import io.moescope.lab.SweepResult;
import io.moescope.lab.VariantMetrics;
import io.moescope.report.export.ReportContent;
import io.moescope.report.export.Reports;
import io.moescope.report.heatmap.ColourScale;
import io.moescope.report.lab.SweepCharts;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.text.PDFTextStripper;
import org.jfree.chart.plot.CategoryPlot;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lab's report parts, charts and difference maps on known inputs: a hand-made sweep result and
 * an analysis whose routing is edited by hand, so the expected numbers are known without the lab.
 */
class LabReportTest {
    private static LoadedModel model;
    private static Analysis analysis;

    @BeforeAll
    static void analyse() {
        model = LoadedModel.open(Path.of("..", "sample-models", "kjv-mixtral"), "java");
        analysis = model.analyse("In the beginning God created");
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static VariantMetrics metrics(double kl, double top1, long dropped) {
        return new VariantMetrics(new double[]{kl}, kl, top1, 10, 10 + kl, new int[]{0, 1}, new double[]{0.5, 0.25},
                new double[]{0.1, 0.2}, new double[]{0.3, 0.4}, new double[]{1.1, 1.2}, new double[]{1.3, 1.4},
                new long[]{dropped, 0}, new double[]{1, 0.9}, 2_000_000, 3_000_000, 1000, 500);
    }

    private static SweepResult sweep() {
        List<SweepPoint> points = new ArrayList<>();
        double[] ks = {1, 2, 4};
        for (int i = 0; i < ks.length; i++) {
            Mechanism m = new Mechanism("k=" + (int) ks[i], RoutingChange.NONE.withK((int) ks[i]), null, Precision.NONE);
            points.add(new SweepPoint(ks[i], m, metrics(0.5 / (i + 1), 0.6 + 0.1 * i, 7 - i)));
        }
        return new SweepResult(SweepKind.TOPK, "mixtral-a", 123, points);
    }

    @Test
    void everySweepChartHasOnePointPerValue() {
        List<SweepCharts.Named> charts = SweepCharts.of(sweep());
        assertEquals(7, charts.size());
        for (SweepCharts.Named c : charts) {
            CategoryPlot p = c.chart().getCategoryPlot();
            assertEquals(List.of("1", "2", "4"), p.getDataset().getColumnKeys(), c.name());
        }
        CategoryPlot kl = charts.getFirst().chart().getCategoryPlot();
        assertEquals(0.25, kl.getDataset().getValue("mean KL", "2").doubleValue(), 1e-12);
        CategoryPlot dropped = charts.get(5).chart().getCategoryPlot();
        assertEquals(6, dropped.getDataset().getValue(0, 1).longValue(), "dropped slots summed over layers");
    }

    @Test
    void sweepTableAndPrecisionLabels() {
        ReportContent.Table t = LabTables.sweep(sweep());
        assertEquals(3, t.rows().size());
        assertEquals(LabTables.SWEEP_HEADER.size(), t.rows().getFirst().size());
        assertEquals(List.of("1", "k=1", "0.5000", "0.6000"), t.rows().getFirst().subList(0, 4));
        assertEquals("0.3750", t.rows().getFirst().get(6), "mean routing flips of 0.5 and 0.25");
        SweepPoint p = new SweepPoint(NumberFormat.INT8_CHANNEL.ordinal(), Mechanism.BASELINE, metrics(0, 1, 0));
        assertEquals("int8", LabTables.valueLabel(SweepKind.PRECISION, p));
    }

    @Test
    void sweepReportAsHtmlAndPdf(@TempDir Path dir) throws Exception {
        ReportContent r = LabReport.sweep(sweep(), model.dir(), "java");
        Path html = dir.resolve("sweep.html"), pdf = dir.resolve("sweep.pdf");
        Reports.write(r, html);
        Reports.write(r, pdf);
        String s = Files.readString(html, StandardCharsets.UTF_8);
        assertEquals(7, s.split("src=\"data:image/png;base64,", -1).length - 1, "one figure per measure");
        assertTrue(s.contains("<caption>Sweep over experts per token (k) (123 tokens of text)</caption>"), s);
        assertTrue(s.contains("<th>mean KL</th>"));
        assertTrue(s.contains("<td>k=2</td>"));
        assertTrue(s.contains("\"what\" : \"topk\""), "the numbers as JSON");
        try (PDDocument d = Loader.loadPDF(pdf.toFile())) {
            String text = new PDFTextStripper().getText(d);
            assertTrue(text.contains("Figure 7:") && !text.contains("Figure 8:"), "seven numbered figures");
            assertTrue(text.contains("Sweep over experts per token"));
        }
    }

    /** The same analysis with token 0's experts in the first MoE layer replaced by {keep, other}. */
    private static Analysis withRerouted(Analysis a, int token) {
        List<LayerRouting> routing = new ArrayList<>(a.routing());
        LayerRouting r = routing.getFirst();
        int[] idx = r.topkIndex().clone();
        int keep = idx[token * r.k()];
        int other = 0;
        while (other == keep || other == idx[token * r.k() + 1]) other++;
        idx[token * r.k() + 1] = other;
        routing.set(0, new LayerRouting(r.layer(), r.tokens(), r.experts(), r.k(), r.probabilities(), r.entropy(), idx,
                r.topkWeight(), r.coActivation()));
        return new Analysis(a.config(), a.forward(), a.tokens(), a.load(), routing, a.flows(), a.attention(),
                a.forwardNanos(), a.totalNanos());
    }

    @Test
    void routingChangeIsTheJaccardDistanceOfExpertSets() {
        Analysis variant = withRerouted(analysis, 2);
        float[] change = DifferenceMaps.routingChange(analysis, variant);
        int T = analysis.tokenCount();
        assertEquals(analysis.routing().size() * T, change.length);
        for (int i = 0; i < change.length; i++) {
            // {a, b} against {a, c}: one shared of three
            assertEquals(i == 2 ? 2f / 3 : 0f, change[i], 1e-6, "cell " + i);
        }
        int[] flips = new int[analysis.routing().size()];
        flips[0] = 1;   // the rerouted token, in the first MoE layer only
        assertArrayEquals(flips, DifferenceMaps.flips(change, T));
        float[] same = DifferenceMaps.attention(analysis, analysis, 1, AttentionMaps.Reduction.MEAN, 0);
        for (float d : same) assertEquals(0f, d);
        float[] load = DifferenceMaps.load(analysis, analysis);
        for (float d : load) assertEquals(0f, d);
        Analysis other = model.analyse("And the earth");
        assertThrows(IllegalArgumentException.class, () -> DifferenceMaps.routingChange(analysis, other));
    }

    @Test
    void comparisonFiguresHaveDifferenceHeatmaps() {
        var c = new io.moescope.lab.Comparison(new Mechanism("k=1", RoutingChange.NONE.withK(1), AttentionPattern.window(2),
                Precision.NONE), analysis, withRerouted(analysis, 0), metrics(0.1, 0.9, 0));
        List<ReportContent.Figure> f = LabReport.comparisonFigures(c);
        List<String> names = f.stream().map(ReportContent.Figure::name).toList();
        assertTrue(names.containsAll(List.of("compare-attention-layer-0", "compare-routing", "compare-load")), names.toString());
        ReportContent base = new ReportContent("t", List.of(), List.of(), List.of(), "{}");
        ReportContent all = LabReport.withLab(base, c, sweep());
        assertTrue(all.json().contains("\"comparison\"") && all.json().contains("\"sweep\""));
        assertTrue(all.tables().stream().anyMatch(t -> t.caption().startsWith("Variant k=1")));
        assertTrue(all.summary().getLast().startsWith("Sweep over"));
    }

    @Test
    void divergingScaleIsWhiteAtZeroBlueBelowRedAbove() {
        ColourScale s = ColourScale.diverging(2);
        assertEquals(0xfff7f7f7, s.argb(0));
        assertEquals(0xff2166ac, s.argb(-2));
        assertEquals(0xffb2182b, s.argb(5), "clamped at the top");
    }
}
