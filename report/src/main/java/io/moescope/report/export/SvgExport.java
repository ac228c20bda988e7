package io.moescope.report.export;

import io.moescope.files.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.jfree.chart.JFreeChart;

/** A chart as a standalone SVG file: the same drawing code as on screen, into JFreeSVG's Graphics2D. */
public final class SvgExport {
    private SvgExport() {}

    public static String svg(JFreeChart chart, int width, int height) {
        return Drawing.of(chart, width, height).svg();
    }

    public static void write(JFreeChart chart, int width, int height, Path file) throws IOException {
        AtomicFiles.write(file, svg(chart, width, height).getBytes(StandardCharsets.UTF_8));
    }
}
