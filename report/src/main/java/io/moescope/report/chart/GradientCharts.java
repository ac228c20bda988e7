package io.moescope.report.chart;

import io.moescope.grad.ComponentFlow;
import io.moescope.grad.GradientFlowReport;
import io.moescope.grad.LayerFlow;
import io.moescope.report.heatmap.Palette;
import java.awt.BasicStroke;
import java.awt.Color;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.labels.StandardCategoryToolTipGenerator;
import org.jfree.chart.labels.StandardXYToolTipGenerator;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.IntervalMarker;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.LineAndShapeRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** Gradient flow charts: norm per layer and component group, and the residual stream's gradient, both on log axes. */
public final class GradientCharts {
    private GradientCharts() {}

    /** Component names grouped as a reader thinks of them; routed experts are combined (the heatmap splits them). */
    static String group(String component) {
        if (component.startsWith("expert.")) return "routed experts";
        return switch (component) {
            case "q", "k", "v", "o", "q_proj", "q_a", "q_b", "kv_a", "kv_b" -> "attention";
            case "input_norm", "post_attention_norm", "q_norm", "k_norm", "q_a_norm", "kv_a_norm" -> "norms";
            case "router" -> "router";
            case "shared_experts", "shared_expert_gate" -> "shared experts";
            case "mlp" -> "dense MLP";
            default -> component;
        };
    }

    public static JFreeChart perComponent(GradientFlowReport r) {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (LayerFlow l : r.layers()) {
            Map<String, Double> sq = new LinkedHashMap<>();
            for (ComponentFlow c : l.components()) sq.merge(group(c.name()), c.gradNorm() * c.gradNorm(), Double::sum);
            sq.forEach((g, s) -> data.addValue(Math.max(Math.sqrt(s), 1e-30), g, "L" + l.layer()));
        }
        JFreeChart chart = ChartFactory.createLineChart("gradient norm per layer and component", "layer", "‖grad‖ (log)",
                data, PlotOrientation.VERTICAL, true, true, false);
        ChartStyle.apply(chart);
        CategoryPlot plot = chart.getCategoryPlot();
        plot.setRangeAxis(logAxis("‖grad‖ (log)"));
        LineAndShapeRenderer renderer = (LineAndShapeRenderer) plot.getRenderer();
        for (int i = 0; i < data.getRowCount(); i++) renderer.setSeriesPaint(i, Palette.awt(Palette.expert(i)));
        renderer.setDefaultShapesVisible(true);
        renderer.setDefaultStroke(new BasicStroke(2f));
        renderer.setDefaultToolTipGenerator(new StandardCategoryToolTipGenerator("{1}, {0}: {2}", new java.text.DecimalFormat("0.###E0")));
        return chart;
    }

    /** Log axis labelled with plain values (2.5E-3), not with powers of ten with fractional exponents. */
    private static LogAxis logAxis(String label) {
        LogAxis axis = new LogAxis(label);
        axis.setSmallestValue(1e-30);
        axis.setNumberFormatOverride(new java.text.DecimalFormat("0.##E0"));
        return axis;
    }

    public static JFreeChart residual(GradientFlowReport r) {
        XYSeries s = new XYSeries("|dL/dh|");
        double[] n = r.residualGradNorms();
        for (int i = 0; i < n.length; i++) s.add(i, Math.max(n[i], 1e-30));
        JFreeChart chart = ChartFactory.createXYLineChart("residual-stream gradient (input of layer i; last = output)", "layer",
                "|dL/dh| (log)", new XYSeriesCollection(s), PlotOrientation.VERTICAL, false, true, false);
        ChartStyle.apply(chart);
        XYPlot plot = chart.getXYPlot();
        plot.setRangeAxis(logAxis("|dL/dh| (log)"));
        plot.getDomainAxis().setStandardTickUnits(org.jfree.chart.axis.NumberAxis.createIntegerTickUnits());
        XYLineAndShapeRenderer renderer = (XYLineAndShapeRenderer) plot.getRenderer();
        renderer.setDefaultShapesVisible(true);
        renderer.setSeriesPaint(0, ChartStyle.BAR);
        renderer.setSeriesStroke(0, new BasicStroke(2f));
        renderer.setDefaultToolTipGenerator(new StandardXYToolTipGenerator("layer {1}: {2}", new java.text.DecimalFormat("0"),
                new java.text.DecimalFormat("0.###E0")));
        // vanishing and exploding layers, shaded where they sit
        for (LayerFlow l : r.layers()) {
            if (!l.vanishing() && !l.exploding()) continue;
            IntervalMarker m = new IntervalMarker(l.layer() - 0.4, l.layer() + 0.4);
            m.setPaint(l.exploding() ? new Color(255, 80, 80, 70) : new Color(80, 120, 255, 70));
            m.setLabel(l.exploding() ? "exploding" : "vanishing");
            plot.addDomainMarker(m);
        }
        return chart;
    }
}
