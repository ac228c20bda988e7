package io.moescope.report.chart;

import io.moescope.analysis.ExpertLoad;
import io.moescope.report.heatmap.Palette;
import java.awt.Color;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.labels.StandardCategoryToolTipGenerator;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.data.category.DefaultCategoryDataset;

/** Tokens per expert as grouped bars, one group per expert and one bar per MoE layer, with the even-load line. */
public final class LoadChart {
    private LoadChart() {}

    public static JFreeChart of(ExpertLoad load, String title) {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (int i = 0; i < load.moeLayers(); i++) {
            for (int e = 0; e < load.experts(); e++) data.addValue(load.counts()[i][e], "layer " + load.layers()[i], "E" + e);
        }
        JFreeChart chart = ChartFactory.createBarChart(title, "expert", "tokens", data, PlotOrientation.VERTICAL,
                load.moeLayers() > 1, true, false);
        ChartStyle.apply(chart);
        CategoryPlot plot = chart.getCategoryPlot();
        BarRenderer r = (BarRenderer) plot.getRenderer();
        r.setDefaultToolTipGenerator(new StandardCategoryToolTipGenerator("{0}, {1}: {2} tokens", java.text.NumberFormat.getIntegerInstance()));
        for (int i = 0; i < load.moeLayers(); i++) r.setSeriesPaint(i, shade(i, load.moeLayers()));
        // what every expert would get under a perfect balance
        ValueMarker even = new ValueMarker((double) load.tokens() * load.topK() / load.experts());
        even.setPaint(ChartStyle.ACCENT);
        even.setStroke(new java.awt.BasicStroke(1.5f, java.awt.BasicStroke.CAP_BUTT, java.awt.BasicStroke.JOIN_MITER, 10f, new float[]{5f, 4f}, 0f));
        even.setLabel("even load");
        even.setLabelFont(new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.PLAIN, 10));
        even.setLabelAnchor(org.jfree.chart.ui.RectangleAnchor.TOP_RIGHT);
        even.setLabelTextAnchor(org.jfree.chart.ui.TextAnchor.BOTTOM_RIGHT);
        plot.addRangeMarker(even);
        return chart;
    }

    /** Layers in blues from dark to light, so their order reads at a glance. */
    private static Color shade(int i, int n) {
        Color base = Palette.awt(Palette.expert(0));
        float f = n <= 1 ? 0 : (float) i / (n - 1) * 0.6f;
        return new Color(mix(base.getRed(), f), mix(base.getGreen(), f), mix(base.getBlue(), f));
    }

    private static int mix(int c, float f) {
        return Math.round(c + (255 - c) * f);
    }
}
