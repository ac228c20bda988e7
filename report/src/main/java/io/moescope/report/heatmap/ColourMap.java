package io.moescope.report.heatmap;

/**
 * A 256-entry perceptually uniform colour ramp (viridis: dark violet for low, yellow for high),
 * readable in greyscale print and by most colour-blind readers, as ARGB ints.
 */
public final class ColourMap {
    private ColourMap() {}

    /** Viridis control points, every 1/8 of the range; interpolated linearly in between. */
    private static final int[] VIRIDIS = {
            0x440154, 0x46327e, 0x365c8d, 0x277f8e, 0x1fa187, 0x4ac16d, 0x9fda3a, 0xcfe11c, 0xfde725};

    public static final int[] RAMP = ramp(VIRIDIS, 256);

    /** ColorBrewer RdBu reversed: blue for negative, white at the centre, red for positive. */
    private static final int[] BLUE_WHITE_RED = {
            0x2166ac, 0x4393c3, 0x92c5de, 0xd1e5f0, 0xf7f7f7, 0xfddbc7, 0xf4a582, 0xd6604d, 0xb2182b};

    public static final int[] DIVERGING = ramp(BLUE_WHITE_RED, 257);   // odd: zero falls on the white stop exactly

    /** Colour of a value in [0, 1]; outside values are clamped. */
    public static int at(double fraction) {
        int i = (int) Math.round(Math.max(0, Math.min(1, fraction)) * 255);
        return RAMP[i];
    }

    static int[] ramp(int[] stops, int n) {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            double x = (double) i / (n - 1) * (stops.length - 1);
            int a = Math.min((int) x, stops.length - 2);
            double f = x - a;
            out[i] = 0xff000000 | mix(stops[a], stops[a + 1], f);
        }
        return out;
    }

    private static int mix(int c0, int c1, double f) {
        int r = (int) Math.round(((c0 >> 16) & 0xff) * (1 - f) + ((c1 >> 16) & 0xff) * f);
        int g = (int) Math.round(((c0 >> 8) & 0xff) * (1 - f) + ((c1 >> 8) & 0xff) * f);
        int b = (int) Math.round((c0 & 0xff) * (1 - f) + (c1 & 0xff) * f);
        return (r << 16) | (g << 8) | b;
    }
}
