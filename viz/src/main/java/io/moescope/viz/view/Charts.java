package io.moescope.viz.view;

import io.moescope.viz.chart.ChartStyle;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.fx.ChartViewer;
import org.jfree.data.category.DefaultCategoryDataset;

/**
 * Chart viewers for the views. A viewer cannot be emptied (setChart refuses null), so "no data" is
 * an empty bar chart, and the viewer's user data says whether it shows a real one.
 *
 * <p>Viewers start without a chart: a plot drawn without axes (a bare CategoryPlot) leaves
 * FXGraphics2D's clip behind, and the next chart drawn on that canvas loses its background (it
 * shows black). Charts with axes, including the empty one, leave the canvas clean.
 */
final class Charts {
    private Charts() {}

    static ChartViewer viewer() {
        ChartViewer v = new ChartViewer();
        v.setMinSize(120, 120);
        return v;
    }

    /** Shows the chart at the current presenter-mode font size. */
    static void show(ChartViewer viewer, JFreeChart chart, boolean presenter) {
        ChartStyle.presenter(chart, presenter);
        viewer.setChart(chart);
        viewer.setUserData(Boolean.TRUE);
    }

    static void clear(ChartViewer viewer) {
        if (viewer.getChart() == null) return;
        viewer.setChart(ChartStyle.apply(ChartFactory.createBarChart(null, null, null, new DefaultCategoryDataset())));
        viewer.setUserData(null);
    }

    static boolean hasChart(ChartViewer viewer) {
        return Boolean.TRUE.equals(viewer.getUserData());
    }
}
