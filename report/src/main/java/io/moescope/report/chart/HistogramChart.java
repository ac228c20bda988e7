package io.moescope.report.chart;

import io.moescope.analysis.TensorStats;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.data.xy.XYIntervalSeries;
import org.jfree.data.xy.XYIntervalSeriesCollection;

/** The value distribution of one checkpoint tensor. */
public final class HistogramChart {
    private HistogramChart() {}

    public static JFreeChart of(TensorStats s) {
        XYIntervalSeries series = new XYIntervalSeries("values");
        int bins = s.histogram().length;
        double width = s.max() > s.min() ? (s.max() - s.min()) / bins : 1;
        for (int i = 0; i < bins; i++) {
            double lo = s.min() + i * width;
            series.add(lo + width / 2, lo, lo + width, s.histogram()[i], 0, s.histogram()[i]);
        }
        XYIntervalSeriesCollection data = new XYIntervalSeriesCollection();
        data.addSeries(series);
        JFreeChart chart = ChartFactory.createXYBarChart(s.name(), "value", false, "count", data,
                PlotOrientation.VERTICAL, false, true, false);
        return ChartStyle.apply(chart);
    }
}
