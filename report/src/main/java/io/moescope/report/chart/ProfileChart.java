package io.moescope.report.chart;

import io.moescope.report.profile.ProfileRow;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.util.List;
import java.util.Locale;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.labels.StandardCategoryToolTipGenerator;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.data.category.DefaultCategoryDataset;

/** Each operation's share of the time as a horizontal bar, in the rows' order: slowest at the top. */
public final class ProfileChart {
    private ProfileChart() {}

    public static JFreeChart of(List<ProfileRow> rows) {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (ProfileRow r : rows) data.addValue(r.percent(), "share of the time", r.op());
        JFreeChart chart = ChartFactory.createBarChart("share of the time per operation", "operation", "% of the time", data,
                PlotOrientation.HORIZONTAL, false, true, false);
        ChartStyle.apply(chart);
        BarRenderer r = (BarRenderer) chart.getCategoryPlot().getRenderer();
        r.setDefaultToolTipGenerator(new StandardCategoryToolTipGenerator("{1}: {2}% of the time",
                new DecimalFormat("0.0", DecimalFormatSymbols.getInstance(Locale.ROOT))));
        return chart;
    }
}
