package io.moescope.report.chart;

import io.moescope.analysis.ExpertFlow;
import io.moescope.report.heatmap.Palette;
import java.awt.Color;
import java.awt.Font;
import java.util.List;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.labels.StandardFlowLabelGenerator;
import org.jfree.chart.plot.flow.FlowPlot;
import org.jfree.data.flow.DefaultFlowDataset;
import org.jfree.data.flow.NodeKey;

/**
 * Where tokens go from one MoE layer's top-1 expert to the next layer's: a Sankey diagram with one
 * column of expert nodes per MoE layer, bands as wide as the number of tokens that took that path.
 */
public final class SankeyChart {
    private SankeyChart() {}

    public static JFreeChart of(List<ExpertFlow> flows, String title) {
        DefaultFlowDataset<String> data = new DefaultFlowDataset<>();
        for (int s = 0; s < flows.size(); s++) {
            ExpertFlow f = flows.get(s);
            for (int a = 0; a < f.counts().length; a++) {
                for (int b = 0; b < f.counts()[a].length; b++) {
                    if (f.counts()[a][b] > 0) data.setFlow(s, node(f.fromLayer(), a), node(f.toLayer(), b), f.counts()[a][b]);
                }
            }
        }
        FlowPlot plot = new FlowPlot(data);
        plot.setNodeWidth(12);
        plot.setNodeMargin(0.02);
        plot.setFlowMargin(0.005);
        plot.setDefaultNodeLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
        plot.setToolTipGenerator(new StandardFlowLabelGenerator("%2$s → %3$s: %4$,.0f tokens"));
        for (NodeKey<String> key : data.getAllNodes()) plot.setNodeFillColor(key, colour(key.getNode()));
        JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, false);
        return ChartStyle.apply(chart);
    }

    /** "L1·E3": the layer is part of the name, since the same expert number recurs in every layer. */
    static String node(int layer, int expert) {
        return "L" + layer + "·E" + expert;
    }

    private static Color colour(String node) {
        int e = Integer.parseInt(node.substring(node.indexOf('E') + 1));
        return Palette.awt(Palette.expert(e));
    }
}
