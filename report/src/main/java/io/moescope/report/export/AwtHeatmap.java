package io.moescope.report.export;

import io.moescope.report.heatmap.ColourScale;
import io.moescope.report.heatmap.HeatmapRaster;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Locale;

/**
 * A heatmap as a figure for reports, drawn with AWT (so `moescope report` needs no display): title,
 * row and column labels where they fit, cells scaled up without smoothing, and a colour bar.
 */
public final class AwtHeatmap {
    private AwtHeatmap() {}

    /** Up to this many cells are drawn as rectangles (vectors); larger maps as one image, to keep files small. */
    static final int MAX_VECTOR_CELLS = 40_000;

    /** Heatmap coloured by a scale; palette null. Or categories coloured by a palette; scale null. */
    public static Drawing drawing(String title, float[] values, int rows, int cols, ColourScale scale, int[] palette,
                                  List<String> rowLabels, List<String> colLabels, int plotSize) {
        int[] argb = new int[rows * cols];
        if (palette != null) HeatmapRaster.fillCategorical(values, palette, argb);
        else HeatmapRaster.fill(values, rows, cols, scale, argb);
        BufferedImage cells = new BufferedImage(cols, rows, BufferedImage.TYPE_INT_ARGB);
        cells.setRGB(0, 0, cols, rows, argb, 0, cols);

        int cell = Math.max(1, plotSize / Math.max(rows, cols));
        int plotW = Math.max(cols * cell, 40), plotH = Math.max(rows * cell, 12);
        int left = labelSpace(rowLabels), top = 24 + labelSpace(colLabels), legendW = scale != null ? 80 : 10;
        int w = left + plotW + legendW, h = top + plotH + 10;
        return new Drawing(w, h, g -> {
            Font font = new Font(Font.SANS_SERIF, Font.PLAIN, 10);
            // the cells' edges stay sharp; only text is smoothed
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_OFF);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, w, h);
            g.setColor(Color.DARK_GRAY);
            g.setFont(font.deriveFont(Font.BOLD, 12f));
            g.drawString(title, 4, 15);
            if (rows * cols <= MAX_VECTOR_CELLS) {
                // one rectangle per cell: a PDF or SVG of the figure stays vectors, with no embedded image
                double cw = (double) plotW / cols, ch = (double) plotH / rows;
                for (int r = 0; r < rows; r++) {
                    for (int c = 0; c < cols; c++) {
                        g.setColor(new Color(argb[r * cols + c], true));
                        g.fill(new Rectangle2D.Double(left + c * cw, top + r * ch, cw + 0.05, ch + 0.05));
                    }
                }
            } else {
                g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
                g.drawImage(cells, left, top, plotW, plotH, null);
            }
            g.setColor(Color.DARK_GRAY);
            g.setFont(font);
            FontMetrics fm = g.getFontMetrics();
            double cellH = (double) plotH / rows, cellW = (double) plotW / cols;
            int stepR = Math.max(1, (int) Math.ceil(11 / cellH)), stepC = Math.max(1, (int) Math.ceil(11 / cellW));
            for (int r = 0; r < rows && !rowLabels.isEmpty(); r += stepR) {
                String s = shorten(rowLabels.get(r));
                g.drawString(s, left - 4 - fm.stringWidth(s), (int) (top + (r + 0.5) * cellH + 4));
            }
            for (int c = 0; c < cols && !colLabels.isEmpty(); c += stepC) {
                AffineTransform t = g.getTransform();
                g.translate(left + (c + 0.5) * cellW + 4, top - 4);
                g.rotate(-Math.PI / 2);
                g.drawString(shorten(colLabels.get(c)), 0, 0);
                g.setTransform(t);
            }
            if (scale != null) legend(g, scale, left + plotW + 12, top, plotH);
        });
    }

    private static void legend(Graphics2D g, ColourScale scale, int x, int top, int height) {
        int h = Math.max(40, height);
        for (int y = 0; y < h; y++) {
            g.setColor(new Color(scale.argb(scale.valueAt(1 - (double) y / h)) & 0xffffff));
            g.fillRect(x, top + y, 12, 1);
        }
        g.setColor(Color.DARK_GRAY);
        g.drawRect(x, top, 12, h);
        for (double f : new double[]{0, 0.5, 1}) {
            g.drawString(format(scale.valueAt(f)), x + 16, (int) (top + (1 - f) * h + 4));
        }
    }

    private static int labelSpace(List<String> labels) {
        int longest = 0;
        for (String s : labels) longest = Math.max(longest, Math.min(14, s.length()));
        return labels.isEmpty() ? 4 : 8 + longest * 6;
    }

    private static String shorten(String s) {
        return s.length() <= 14 ? s : s.substring(0, 13) + "…";
    }

    private static String format(double v) {
        if (v != 0 && (Math.abs(v) < 1e-2 || Math.abs(v) >= 1e4)) return String.format(Locale.ROOT, "%.0e", v);
        return String.format(Locale.ROOT, "%.3g", v);
    }
}
