package io.moescope.report.export;

import io.moescope.files.AtomicFiles;
import java.awt.Rectangle;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.jfree.chart.JFreeChart;
import org.jfree.svg.SVGGraphics2D;

/** A chart as a standalone SVG file: the same drawing code as on screen, into JFreeSVG's Graphics2D. */
public final class SvgExport {
    private SvgExport() {}

    public static String svg(JFreeChart chart, int width, int height) {
        SVGGraphics2D g = new SVGGraphics2D(width, height);
        synchronized (chart) {   // a chart on screen may be being drawn in the background (ChartPane)
            chart.draw(g, new Rectangle(0, 0, width, height));
        }
        // The bare element, without getSVGDocument's DOCTYPE: a DTD reference makes XML parsers
        // fetch it from w3.org, which fails offline.
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + g.getSVGElement();
    }

    public static void write(JFreeChart chart, int width, int height, Path file) throws IOException {
        AtomicFiles.write(file, svg(chart, width, height).getBytes(StandardCharsets.UTF_8));
    }
}
