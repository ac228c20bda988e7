package io.moescope.report.heatmap;

import java.nio.IntBuffer;
import java.util.stream.IntStream;

/**
 * Turns a matrix of values into ARGB pixels without JavaFX: the workbench shows the pixels as an
 * image, the report encodes them as PNG. {@link #render} is the hot loop of redrawing a 2048 x 2048
 * attention map, so it reads each visible cell once, in memory order, and colours each pixel with
 * one table lookup ({@link ColourLookup}).
 */
public final class HeatmapRaster {
    private HeatmapRaster() {}

    /** Fills argb[rows * cols] from values[rows * cols] with the scale's colours, one pixel per cell. Uses all cores for large maps. */
    public static void fill(float[] values, int rows, int cols, ColourScale scale, int[] argb) {
        ColourLookup lookup = new ColourLookup(scale);
        bands(rows, (long) rows * cols, (r0, r1) -> {
            for (int i = r0 * cols, end = r1 * cols; i < end; i++) argb[i] = lookup.argb(values[i]);
        });
    }

    /** {@link #render(float[], int, int, int, double, double, double, double, int, int, ColourScale, IntBuffer)} into an array. */
    public static void render(float[] values, int rows, int cols, double vx, double vy, double vw, double vh,
                              int w, int h, ColourScale scale, int[] argb) {
        render(values, 0, rows, cols, vx, vy, vw, vh, w, h, scale, IntBuffer.wrap(argb));
    }

    /**
     * Renders the part [vx, vx+vw) x [vy, vy+vh) of the rows x cols map starting at values[offset]
     * into a w x h pixel raster (row by row, from index 0 of out, which may be the direct buffer
     * behind the image on screen): each pixel shows the largest value of the cells it covers (so
     * that a strong link never falls between pixels when 2048 tokens share 900 pixels) or, zoomed
     * in, the cell it lies in. Only the visible cells are read and only w x h colours are looked up,
     * so a redraw costs what the screen shows. Bands of pixel rows go to all cores.
     */
    public static void render(float[] values, int offset, int rows, int cols, double vx, double vy, double vw, double vh,
                              int w, int h, ColourScale scale, IntBuffer out) {
        if (w < 1 || h < 1 || rows < 1 || cols < 1) return;
        // Pixel x covers columns [c0[x], c1[x]) and pixel row y rows [r0[y], r1[y]); neighbouring
        // ranges do not overlap, so zoomed out every visible cell is read exactly once.
        int[] c0 = new int[w], c1 = new int[w], r0 = new int[h], r1 = new int[h];
        spans(vx, vw, w, cols, c0, c1);
        spans(vy, vh, h, rows, r0, r1);
        int first = c0[0], width = c1[w - 1] - first, most = 1;
        // Pixel x takes the maximum of down[c0[x] + k] for k < most, the index held back to its
        // last column: repeating a column changes no maximum, and a fixed count keeps the loop
        // free of branches that depend on the data.
        for (int x = 0; x < w; x++) {
            most = Math.max(most, c1[x] - c0[x]);
            c0[x] -= first;
            c1[x] -= first + 1;
        }
        int span = most;
        boolean signed = scale.kind() == ColourScale.Kind.DIVERGING;
        ColourLookup lookup = new ColourLookup(scale);
        long cells = (long) (r1[h - 1] - r0[0]) * width;
        bands(h, Math.max(cells, (long) w * h), (y0, y1) -> {
            // the maximum down each visible column over the pixel row's cell rows, then across
            // each pixel's columns: the first pass runs along memory and vectorises
            float[] down = new float[width];
            int[] line = new int[w];
            for (int y = y0; y < y1; y++) {
                System.arraycopy(values, offset + r0[y] * cols + first, down, 0, width);
                if (signed) {
                    // A difference map must not lose its negative values when zoomed out: the strongest change wins.
                    for (int r = r0[y] + 1; r < r1[y]; r++) {
                        int base = offset + r * cols + first;
                        for (int c = 0; c < width; c++) down[c] = strongest(down[c], values[base + c]);
                    }
                    for (int x = 0; x < w; x++) {
                        int c = c0[x], last = c1[x];
                        float m = down[c];
                        for (int k = 1; k < span; k++) m = strongest(m, down[Math.min(c + k, last)]);
                        line[x] = lookup.argb(m);
                    }
                    out.put(y * w, line, 0, w);
                    continue;
                }
                for (int r = r0[y] + 1; r < r1[y]; r++) {
                    int base = offset + r * cols + first;
                    for (int c = 0; c < width; c++) down[c] = Math.max(down[c], values[base + c]);
                }
                for (int x = 0; x < w; x++) {
                    int c = c0[x], last = c1[x];
                    float m = down[c];
                    for (int k = 1; k < span; k++) m = Math.max(m, down[Math.min(c + k, last)]);
                    line[x] = lookup.argb(m);
                }
                out.put(y * w, line, 0, w);
            }
        });
    }

    /** The cells [lo[i], hi[i]) that pixel i of n covers when [from, from + span) of count cells is shown. */
    private static void spans(double from, double span, int n, int count, int[] lo, int[] hi) {
        for (int i = 0; i < n; i++) {
            lo[i] = clamp((int) Math.floor(from + i * span / n), count);
            hi[i] = Math.min(count, Math.max(lo[i] + 1, (int) Math.floor(from + (i + 1) * span / n)));
        }
    }

    /** Categories need no maximum: each pixel takes the category of the cell at its centre. */
    public static void renderCategorical(float[] values, int rows, int cols, double vx, double vy, double vw, double vh,
                                         int w, int h, int[] palette, IntBuffer out) {
        for (int y = 0; y < h; y++) {
            int r = clamp((int) (vy + (y + 0.5) * vh / h), rows);
            for (int x = 0; x < w; x++) {
                int c = (int) values[r * cols + clamp((int) (vx + (x + 0.5) * vw / w), cols)];
                out.put(y * w + x, c < 0 ? 0xffffffff : palette[c % palette.length]);
            }
        }
    }

    private static float strongest(float a, float b) {
        return Math.abs(b) > Math.abs(a) ? b : a;
    }

    private static int clamp(int v, int n) {
        return v < 0 ? 0 : v >= n ? n - 1 : v;
    }

    /** Colours by category: palette[(int) value], for maps such as the top-1 expert of each token. */
    public static void fillCategorical(float[] values, int[] palette, int[] argb) {
        for (int i = 0; i < values.length; i++) {
            int c = (int) values[i];
            argb[i] = c < 0 ? 0xffffffff : palette[c % palette.length];
        }
    }

    @FunctionalInterface
    private interface Band {
        void rows(int from, int to);
    }

    /** Runs body over [0, n) in one piece for small work, else in bands spread over all cores. */
    private static void bands(int n, long work, Band body) {
        int parts = work < 65_536 ? 1 : Math.min(n, 4 * Runtime.getRuntime().availableProcessors());
        if (parts <= 1) {
            body.rows(0, n);
            return;
        }
        IntStream.range(0, parts).parallel().forEach(p -> body.rows((int) ((long) n * p / parts), (int) ((long) n * (p + 1) / parts)));
    }

    /**
     * The map at another size: each output cell is the maximum of the input cells it covers, so
     * shrinking keeps every strong attention link visible instead of averaging it away, and growing
     * repeats cells (nearest neighbour). Thumbnails are made this way at their final pixel size.
     */
    public static float[] resampleMax(float[] values, int offset, int rows, int cols, int outRows, int outCols) {
        float[] out = new float[outRows * outCols];
        for (int y = 0; y < outRows; y++) {
            int r0 = (int) ((long) y * rows / outRows), r1 = Math.max(r0 + 1, (int) ((long) (y + 1) * rows / outRows));
            for (int x = 0; x < outCols; x++) {
                int c0 = (int) ((long) x * cols / outCols), c1 = Math.max(c0 + 1, (int) ((long) (x + 1) * cols / outCols));
                float m = Float.NEGATIVE_INFINITY;
                for (int r = r0; r < r1; r++) {
                    int base = offset + r * cols;
                    for (int c = c0; c < c1; c++) m = Math.max(m, values[base + c]);
                }
                out[y * outCols + x] = m;
            }
        }
        return out;
    }
}
