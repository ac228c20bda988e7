package io.moescope.report.chart;

import io.moescope.analysis.AttentionStats;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.labels.StandardCategoryToolTipGenerator;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.data.category.DefaultCategoryDataset;

/** Mean attention entropy of every head, grouped by layer: which heads focus and which spread out. */
public final class HeadEntropyChart {
    private HeadEntropyChart() {}

    public static JFreeChart of(AttentionStats stats) {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        double[][] e = stats.entropy();
        for (int l = 0; l < e.length; l++) {
            for (int h = 0; h < e[l].length; h++) data.addValue(e[l][h], "head " + h, "layer " + l);
        }
        JFreeChart chart = ChartFactory.createBarChart("attention entropy per head", "layer", "nats", data,
                PlotOrientation.VERTICAL, true, true, false);
        ChartStyle.apply(chart);
        ((BarRenderer) chart.getCategoryPlot().getRenderer()).setDefaultToolTipGenerator(
                new StandardCategoryToolTipGenerator("{1}, {0}: {2} nats", new java.text.DecimalFormat("0.000")));
        return chart;
    }
}
