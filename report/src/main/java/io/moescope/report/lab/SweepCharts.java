package io.moescope.report.lab;

import io.moescope.lab.SweepPoint;
import io.moescope.lab.SweepResult;
import io.moescope.lab.VariantMetrics;
import io.moescope.report.chart.ChartStyle;
import io.moescope.report.lab.LabTables;
import java.awt.BasicStroke;
import java.awt.Color;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.renderer.category.LineAndShapeRenderer;
import org.jfree.data.category.DefaultCategoryDataset;

/**
 * The charts of a sweep, one per measure, each against the swept value: one point per value on a
 * category axis (so precisions, which are names, and k, which is a count, draw alike).
 */
public final class SweepCharts {
    private SweepCharts() {}

    /** A chart with a file-name stem (SVG export, report figure id) and a caption. */
    public record Named(String name, String caption, JFreeChart chart) {}

    public static List<Named> of(SweepResult r) {
        List<Named> out = new ArrayList<>();
        out.add(line(r, "sweep-kl", "Mean KL divergence from the baseline", "KL (nats)",
                List.of("mean KL"), List.of(m -> m.meanKl())));
        out.add(line(r, "sweep-top1", "Top-1 agreement with the baseline", "fraction of positions",
                List.of("top-1 agreement"), List.of(m -> m.top1Agreement())));
        out.add(line(r, "sweep-perplexity", "Perplexity", "perplexity",
                List.of("variant", "baseline"), List.of(m -> m.variantPerplexity(), m -> m.baselinePerplexity())));
        out.add(line(r, "sweep-flips", "Routing flips (mean over MoE layers)", "fraction of tokens",
                List.of("routing flips"), List.of(VariantMetrics::meanRoutingFlips)));
        out.add(line(r, "sweep-attention-mass", "Attention mass kept (mean over layers)", "fraction of mass",
                List.of("mass kept"), List.of(VariantMetrics::meanAttentionMassKept)));
        Named dropped = line(r, "sweep-dropped", "Token slots dropped by capacity (all MoE layers)", "slots",
                List.of("dropped slots"), List.of(m -> m.totalDroppedSlots()));
        // counts: whole-number ticks, and an axis from 0 to at least 1 when nothing was dropped
        NumberAxis counts = (NumberAxis) dropped.chart().getCategoryPlot().getRangeAxis();
        counts.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        counts.setAutoRangeMinimumSize(1);
        counts.setAutoRangeIncludesZero(true);
        out.add(dropped);
        out.add(line(r, "sweep-time", "Forward time", "ms",
                List.of("variant", "baseline"), List.of(m -> m.variantNanos() / 1e6, m -> m.baselineNanos() / 1e6)));
        return out;
    }

    private static final Color[] SERIES = {ChartStyle.BAR, new Color(0x9aa5b1)};

    private static Named line(SweepResult r, String name, String title, String axis, List<String> series,
                              List<ToDoubleFunction<VariantMetrics>> measures) {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (SweepPoint p : r.points()) {
            String x = LabTables.valueLabel(r.kind(), p);
            for (int s = 0; s < series.size(); s++) {
                double v = measures.get(s).applyAsDouble(p.metrics());
                data.addValue(Double.isFinite(v) ? v : null, series.get(s), x);
            }
        }
        JFreeChart chart = ChartFactory.createLineChart(title, r.kind().axisLabel(), axis, data, PlotOrientation.VERTICAL,
                series.size() > 1, true, false);
        ChartStyle.apply(chart);
        CategoryPlot plot = chart.getCategoryPlot();
        LineAndShapeRenderer renderer = (LineAndShapeRenderer) plot.getRenderer();
        renderer.setDefaultShapesVisible(true);
        for (int s = 0; s < series.size(); s++) {
            renderer.setSeriesPaint(s, SERIES[s % SERIES.length]);
            renderer.setSeriesStroke(s, new BasicStroke(s == 0 ? 2f : 1.5f));
        }
        return new Named(name, title + " vs " + r.kind().axisLabel(), chart);
    }
}
