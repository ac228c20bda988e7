package io.moescope.report.export;

import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import org.jfree.chart.JFreeChart;

/** A chart rendered by AWT at a scale (no display needed), for reports and PNG export. */
public final class ChartImages {
    private ChartImages() {}

    public static BufferedImage render(JFreeChart chart, int width, int height, double scale) {
        BufferedImage img = new BufferedImage((int) Math.round(width * scale), (int) Math.round(height * scale), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.scale(scale, scale);
            synchronized (chart) {   // a chart on screen may be being drawn in the background (ChartPane)
                chart.draw(g, new Rectangle(0, 0, width, height));
            }
        } finally {
            g.dispose();
        }
        return img;
    }
}
