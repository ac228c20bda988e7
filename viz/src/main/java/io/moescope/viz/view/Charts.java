package io.moescope.viz.view;

import io.moescope.report.chart.ChartStyle;
import io.moescope.viz.widget.ChartPane;
import java.util.List;
import org.jfree.chart.JFreeChart;

/** Chart panes for the views: charts drawn off the FX thread, at the presenter-mode font size. */
final class Charts {
    private Charts() {}

    static ChartPane viewer() {
        return new ChartPane();
    }

    /** Shows the chart at the current presenter-mode font size. */
    static void show(ChartPane pane, JFreeChart chart, boolean presenter) {
        ChartPane.locked(chart, () -> {
            ChartStyle.presenter(chart, presenter);
            return null;
        });
        pane.setChart(chart);
    }

    static void clear(ChartPane pane) {
        pane.setChart(null);
    }

    static boolean hasChart(ChartPane pane) {
        return pane.getChart() != null;
    }

    /** The pane's chart under that name, for SVG export; none while the pane is empty. */
    static List<AnalysisView.NamedChart> named(String name, ChartPane pane) {
        return hasChart(pane) ? List.of(new AnalysisView.NamedChart(name, pane.getChart())) : List.of();
    }
}
