package io.moescope.report.chart;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import io.moescope.report.heatmap.Palette;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.Plot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.xy.StandardXYBarPainter;
import org.jfree.chart.renderer.xy.XYBarRenderer;

/** One look for every chart: white background, light grid, flat bars, readable fonts. */
public final class ChartStyle {
    private ChartStyle() {}

    public static final Color GRID = new Color(0xdde3ea);
    public static final Color BAR = Palette.awt(Palette.expert(0));
    public static final Color ACCENT = Palette.awt(Palette.expert(3));

    public static JFreeChart apply(JFreeChart chart) {
        chart.setBackgroundPaint(Color.WHITE);
        chart.setAntiAlias(true);
        chart.setTextAntiAlias(true);
        if (chart.getTitle() != null) chart.getTitle().setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
        Plot p = chart.getPlot();
        p.setBackgroundPaint(Color.WHITE);
        p.setOutlineVisible(false);
        if (p instanceof CategoryPlot c) {
            c.setRangeGridlinePaint(GRID);
            c.setRangeGridlineStroke(new BasicStroke(1f));
            if (c.getRenderer() instanceof BarRenderer r) {
                r.setBarPainter(new StandardBarPainter());
                r.setShadowVisible(false);
                r.setDrawBarOutline(false);
                r.setItemMargin(0.02);
                // colour-blind-safe series colours; charts that need others set their own after this
                for (int i = 0; i < Palette.EXPERTS.length; i++) r.setSeriesPaint(i, Palette.awt(Palette.expert(i)));
            }
        }
        if (p instanceof XYPlot x) {
            x.setRangeGridlinePaint(GRID);
            x.setDomainGridlinePaint(GRID);
            if (x.getRenderer() instanceof XYBarRenderer r) {
                r.setBarPainter(new StandardXYBarPainter());
                r.setShadowVisible(false);
                r.setSeriesPaint(0, BAR);
            }
        }
        return chart;
    }

    /** Larger type for presenting to a room. */
    public static void presenter(JFreeChart chart, boolean on) {
        float scale = on ? 1.5f : 1f;
        if (chart.getTitle() != null) chart.getTitle().setFont(new Font(Font.SANS_SERIF, Font.BOLD, Math.round(13 * scale)));
        Font tick = new Font(Font.SANS_SERIF, Font.PLAIN, Math.round(11 * scale));
        Font label = new Font(Font.SANS_SERIF, Font.PLAIN, Math.round(12 * scale));
        if (chart.getPlot() instanceof CategoryPlot c) {
            c.getDomainAxis().setTickLabelFont(tick);
            c.getRangeAxis().setTickLabelFont(tick);
            c.getDomainAxis().setLabelFont(label);
            c.getRangeAxis().setLabelFont(label);
        } else if (chart.getPlot() instanceof XYPlot x) {
            x.getDomainAxis().setTickLabelFont(tick);
            x.getRangeAxis().setTickLabelFont(tick);
            x.getDomainAxis().setLabelFont(label);
            x.getRangeAxis().setLabelFont(label);
        }
        if (chart.getLegend() != null) chart.getLegend().setItemFont(label);
    }
}
