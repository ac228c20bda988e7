package io.moescope.viz.heatmap;

import java.util.stream.IntStream;

/**
 * Turns a matrix of values into ARGB pixels, one pixel per cell, without JavaFX: the workbench
 * shows the pixels as an image, the report encodes them as PNG. This is the hot loop of a 2048 x
 * 2048 redraw, so the log scale avoids Math.log: log2 comes from the float's exponent bits plus a
 * table over the top mantissa bits, exact to well under one colour step.
 */
public final class HeatmapRaster {
    private HeatmapRaster() {}

    private static final int MANTISSA_BITS = 12;
    private static final float[] LOG2_MANTISSA = new float[1 << MANTISSA_BITS];

    static {
        for (int i = 0; i < LOG2_MANTISSA.length; i++) {
            LOG2_MANTISSA[i] = (float) (Math.log1p((i + 0.5) / LOG2_MANTISSA.length) / Math.log(2));
        }
    }

    /** Fills argb[rows * cols] from values[rows * cols] with the scale's colours. Uses all cores for large maps. */
    public static void fill(float[] values, int rows, int cols, ColourScale scale, int[] argb) {
        int[] ramp = scale.ramp();
        int top = ramp.length - 1;
        if (scale.kind() != ColourScale.Kind.LOG) {
            float min = (float) scale.min(), k = (float) (scale.max() > scale.min() ? top / (scale.max() - scale.min()) : 0);
            rows(rows, cols, r -> {
                for (int i = r * cols, end = i + cols; i < end; i++) {
                    float f = (values[i] - min) * k;
                    argb[i] = ramp[f <= 0 ? 0 : f >= top ? top : (int) (f + 0.5f)];
                }
            });
        } else {
            float log2Min = (float) (Math.log(scale.min()) / Math.log(2));
            float k = (float) (top / (Math.log(scale.max() / scale.min()) / Math.log(2)));
            float min = (float) scale.min();
            rows(rows, cols, r -> {
                for (int i = r * cols, end = i + cols; i < end; i++) {
                    float v = values[i];
                    if (!(v > min)) {
                        argb[i] = ramp[0];
                        continue;
                    }
                    float f = (fastLog2(v) - log2Min) * k;
                    argb[i] = ramp[f >= top ? top : (int) (f + 0.5f)];
                }
            });
        }
    }

    /**
     * Renders the part [vx, vx+vw) x [vy, vy+vh) of a rows x cols map into a w x h pixel raster: each
     * pixel shows the largest value of the cells it covers (so that a strong link never falls
     * between pixels when 2048 tokens share 600 pixels) or, zoomed in, the cell it lies in. Only the
     * visible cells are read and only w x h colours are looked up, so a redraw costs what the screen
     * shows, not what the matrix holds.
     */
    public static void render(float[] values, int rows, int cols, double vx, double vy, double vw, double vh,
                              int w, int h, ColourScale scale, int[] argb) {
        // Pixel x covers columns [c0[x], c1[x]); the ranges do not overlap, so zoomed out every
        // visible cell is read exactly once.
        int[] c0 = new int[w], c1 = new int[w];
        for (int x = 0; x < w; x++) {
            c0[x] = clamp((int) Math.floor(vx + x * vw / w), cols);
            c1[x] = Math.min(cols, Math.max(c0[x] + 1, (int) Math.floor(vx + (x + 1) * vw / w)));
        }
        Mapper map = mapper(scale);
        // A difference map must not lose its negative values when zoomed out: keep the strongest change.
        boolean signed = scale.kind() == ColourScale.Kind.DIVERGING;
        rows(h, w, y -> {
            float[] line = new float[w];
            int r0 = clamp((int) Math.floor(vy + y * vh / h), rows);
            int r1 = Math.min(rows, Math.max(r0 + 1, (int) Math.floor(vy + (y + 1) * vh / h)));
            java.util.Arrays.fill(line, signed ? 0f : Float.NEGATIVE_INFINITY);
            for (int r = r0; r < r1 && signed; r++) {
                int base = r * cols;
                for (int x = 0; x < w; x++) {
                    float m = line[x];
                    for (int c = base + c0[x], end = base + c1[x]; c < end; c++) if (Math.abs(values[c]) > Math.abs(m)) m = values[c];
                    line[x] = m;
                }
            }
            for (int r = r0; r < r1 && !signed; r++) {
                int base = r * cols;
                for (int x = 0; x < w; x++) {
                    float m = line[x];
                    for (int c = base + c0[x], end = base + c1[x]; c < end; c++) {
                        float v = values[c];
                        if (v > m) m = v;   // not Math.max: NaN and -0 handling cost in this loop
                    }
                    line[x] = m;
                }
            }
            for (int x = 0, o = y * w; x < w; x++) argb[o + x] = map.argb(line[x]);
        });
    }

    /** Categories need no maximum: each pixel takes the category of the cell at its centre. */
    public static void renderCategorical(float[] values, int rows, int cols, double vx, double vy, double vw, double vh,
                                         int w, int h, int[] palette, int[] argb) {
        for (int y = 0; y < h; y++) {
            int r = clamp((int) (vy + (y + 0.5) * vh / h), rows);
            for (int x = 0; x < w; x++) {
                int c = (int) values[r * cols + clamp((int) (vx + (x + 0.5) * vw / w), cols)];
                argb[y * w + x] = c < 0 ? 0xffffffff : palette[c % palette.length];
            }
        }
    }

    private static int clamp(int v, int n) {
        return v < 0 ? 0 : v >= n ? n - 1 : v;
    }

    @FunctionalInterface
    private interface Mapper {
        int argb(float v);
    }

    /** The colour lookup of {@link #fill}, one value at a time. */
    private static Mapper mapper(ColourScale scale) {
        int[] ramp = scale.ramp();
        int top = ramp.length - 1;
        if (scale.kind() != ColourScale.Kind.LOG) {
            float min = (float) scale.min(), k = (float) (scale.max() > scale.min() ? top / (scale.max() - scale.min()) : 0);
            return v -> {
                float f = (v - min) * k;
                return ramp[f <= 0 || f != f ? 0 : f >= top ? top : (int) (f + 0.5f)];
            };
        }
        float log2Min = (float) (Math.log(scale.min()) / Math.log(2));
        float k = (float) (top / (Math.log(scale.max() / scale.min()) / Math.log(2)));
        float min = (float) scale.min();
        return v -> {
            if (!(v > min)) return ramp[0];
            float f = (fastLog2(v) - log2Min) * k;
            return ramp[f >= top ? top : (int) (f + 0.5f)];
        };
    }

    /** Colours by category: palette[(int) value], for maps such as the top-1 expert of each token. */
    public static void fillCategorical(float[] values, int[] palette, int[] argb) {
        for (int i = 0; i < values.length; i++) {
            int c = (int) values[i];
            argb[i] = c < 0 ? 0xffffffff : palette[c % palette.length];
        }
    }

    /** log2 of a positive, finite, normal float. */
    static float fastLog2(float v) {
        int bits = Float.floatToRawIntBits(v);
        int exponent = ((bits >>> 23) & 0xff) - 127;
        return exponent + LOG2_MANTISSA[(bits >>> (23 - MANTISSA_BITS)) & ((1 << MANTISSA_BITS) - 1)];
    }

    private static void rows(int rows, int cols, java.util.function.IntConsumer body) {
        if ((long) rows * cols < 65_536) {
            for (int r = 0; r < rows; r++) body.accept(r);
        } else {
            IntStream.range(0, rows).parallel().forEach(body);
        }
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
