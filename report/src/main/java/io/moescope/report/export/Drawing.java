package io.moescope.report.export;

import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.function.Consumer;
import org.jfree.chart.JFreeChart;
import org.jfree.svg.SVGGraphics2D;

/**
 * A figure as drawing instructions rather than pixels, so that each writer picks its medium: PNG
 * at a scale, SVG, or (into a PDF's own Graphics2D) vector PDF. The painter draws in units of
 * {@code width} x {@code height} (points at 1x) onto a Graphics2D that starts white.
 */
public record Drawing(int width, int height, Consumer<Graphics2D> painter) {
    /** The scale the HTML and PDF reports rasterise figures at: 2x, for print and high-density screens. */
    public static final double REPORT_SCALE = 2;

    /** A chart at this size; the chart is locked while drawn, since a view may be drawing it too (ChartPane). */
    public static Drawing of(JFreeChart chart, int width, int height) {
        return new Drawing(width, height, g -> {
            synchronized (chart) {
                chart.draw(g, new Rectangle(0, 0, width, height));
            }
        });
    }

    /** Pixels at {@code scale} times the size, antialiased. */
    public BufferedImage image(double scale) {
        BufferedImage img = new BufferedImage((int) Math.round(width * scale), (int) Math.round(height * scale), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.scale(scale, scale);
            painter.accept(g);
        } finally {
            g.dispose();
        }
        return img;
    }

    /** A standalone SVG document: text stays text, shapes stay shapes. */
    public String svg() {
        SVGGraphics2D g = new SVGGraphics2D(width, height);
        painter.accept(g);
        // The bare element, without getSVGDocument's DOCTYPE: a DTD reference makes XML parsers
        // fetch it from w3.org, which fails offline.
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + g.getSVGElement();
    }
}
