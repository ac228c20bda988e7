package io.moescope.report.export;

import java.awt.image.BufferedImage;
import org.jfree.chart.JFreeChart;

/** A chart rendered by AWT at a scale (no display needed), for PNG export. */
public final class ChartImages {
    private ChartImages() {}

    public static BufferedImage render(JFreeChart chart, int width, int height, double scale) {
        return Drawing.of(chart, width, height).image(scale);
    }
}
