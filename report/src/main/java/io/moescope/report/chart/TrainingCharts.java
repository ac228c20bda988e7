package io.moescope.report.chart;

import io.moescope.analysis.TrainingHistory;
import java.awt.BasicStroke;
import java.util.Map;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** Charts of a training log: the loss curve with the played-back step marked, and per-layer figures at that step. */
public final class TrainingCharts {
    private TrainingCharts() {}

    public static JFreeChart loss(TrainingHistory h, int step) {
        XYSeries loss = new XYSeries("loss"), aux = new XYSeries("aux loss");
        for (TrainingHistory.Step s : h.steps()) {
            if (Double.isFinite(s.loss())) loss.add(s.step(), s.loss());
            if (Double.isFinite(s.auxLoss())) aux.add(s.step(), s.auxLoss());
        }
        XYSeriesCollection data = new XYSeriesCollection(loss);
        if (aux.getItemCount() > 0) data.addSeries(aux);
        JFreeChart chart = ChartFactory.createXYLineChart("training loss", "step", "loss", data, PlotOrientation.VERTICAL,
                aux.getItemCount() > 0, true, false);
        ChartStyle.apply(chart);
        XYPlot plot = chart.getXYPlot();
        plot.getRenderer().setSeriesStroke(0, new BasicStroke(2f));
        plot.getRenderer().setSeriesPaint(0, ChartStyle.BAR);
        ValueMarker now = new ValueMarker(step);
        now.setPaint(ChartStyle.ACCENT);
        now.setStroke(new BasicStroke(2f));
        now.setLabel("step " + step);
        now.setLabelAnchor(org.jfree.chart.ui.RectangleAnchor.TOP_LEFT);
        now.setLabelTextAnchor(org.jfree.chart.ui.TextAnchor.TOP_RIGHT);
        plot.addDomainMarker(now);
        return chart;
    }

    public static JFreeChart perLayer(String title, String axis, Map<Integer, Double> values, boolean log) {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        values.forEach((layer, v) -> data.addValue(v, axis, "L" + layer));
        JFreeChart chart = ChartFactory.createBarChart(title, "layer", axis, data, PlotOrientation.VERTICAL, false, true, false);
        ChartStyle.apply(chart);
        if (log) {
            LogAxis a = new LogAxis(axis + " (log)");
            a.setSmallestValue(1e-12);
            a.setNumberFormatOverride(new java.text.DecimalFormat("0.##E0"));
            chart.getCategoryPlot().setRangeAxis(a);
            // bars grow from a tenth of the smallest value: a log axis has no zero to start from
            double min = values.values().stream().filter(v -> v > 0).mapToDouble(Double::doubleValue).min().orElse(1);
            ((org.jfree.chart.renderer.category.BarRenderer) chart.getCategoryPlot().getRenderer()).setBase(min / 10);
        }
        return chart;
    }
}
