package io.moescope.report.chart;

import io.moescope.analysis.LayerRouting;
import java.util.List;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.labels.StandardCategoryToolTipGenerator;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.data.category.DefaultCategoryDataset;

/** The router's view of tokens: its distribution over experts for one token, and its entropy for every token. */
public final class RouterCharts {
    private RouterCharts() {}

    public static JFreeChart distribution(LayerRouting r, int token, String tokenText) {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (int e = 0; e < r.experts(); e++) data.addValue(token < 0 ? 0 : r.probability(token, e), "p", "E" + e);
        String title = token < 0 ? "router probabilities (pick a token)"
                : "router probabilities, token " + token + " '" + tokenText + "', layer " + r.layer();
        JFreeChart chart = ChartFactory.createBarChart(title, "expert", "probability", data, PlotOrientation.VERTICAL, false, true, false);
        ChartStyle.apply(chart);
        CategoryPlot plot = chart.getCategoryPlot();
        BarRenderer renderer = new ExpertBarRenderer(r, token);
        renderer.setDefaultToolTipGenerator(new StandardCategoryToolTipGenerator("{1}: {2}", new java.text.DecimalFormat("0.0000")));
        plot.setRenderer(renderer);
        ChartStyle.apply(chart);
        return chart;
    }

    public static JFreeChart entropy(LayerRouting r, List<String> tokens) {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (int t = 0; t < r.tokens(); t++) data.addValue(r.entropy()[t], "entropy", t + " " + tokens.get(t));
        JFreeChart chart = ChartFactory.createBarChart("router entropy per token, layer " + r.layer(), "token", "nats",
                data, PlotOrientation.VERTICAL, false, true, false);
        ChartStyle.apply(chart);
        CategoryPlot plot = chart.getCategoryPlot();
        plot.getDomainAxis().setCategoryLabelPositions(CategoryLabelPositions.UP_90);
        plot.getDomainAxis().setTickLabelsVisible(r.tokens() <= 64);
        ((BarRenderer) plot.getRenderer()).setDefaultToolTipGenerator(
                new StandardCategoryToolTipGenerator("{1}: {2} nats", new java.text.DecimalFormat("0.000")));
        ValueMarker uniform = new ValueMarker(Math.log(r.experts()));
        uniform.setPaint(ChartStyle.ACCENT);
        uniform.setLabel("uniform (ln " + r.experts() + ")");
        uniform.setLabelAnchor(org.jfree.chart.ui.RectangleAnchor.TOP_RIGHT);
        uniform.setLabelTextAnchor(org.jfree.chart.ui.TextAnchor.BOTTOM_RIGHT);
        plot.addRangeMarker(uniform);
        return chart;
    }

    /** Bars in the expert colours, the chosen top-k ones solid and the rest pale. */
    private static final class ExpertBarRenderer extends BarRenderer {
        private static final long serialVersionUID = 1L;
        private final transient LayerRouting routing;
        private final int token;

        ExpertBarRenderer(LayerRouting routing, int token) {
            this.routing = routing;
            this.token = token;
        }

        @Override
        public java.awt.Paint getItemPaint(int row, int column) {
            java.awt.Color c = io.moescope.report.heatmap.Palette.awt(io.moescope.report.heatmap.Palette.expert(column));
            if (token < 0) return c;
            for (int j = 0; j < routing.k(); j++) if (routing.topkIndex()[token * routing.k() + j] == column) return c;
            return new java.awt.Color(c.getRed(), c.getGreen(), c.getBlue(), 80);
        }
    }
}
