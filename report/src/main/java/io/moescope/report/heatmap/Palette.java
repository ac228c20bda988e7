package io.moescope.report.heatmap;

/**
 * Distinct colours for categories (experts). The first 10 are Tableau 10, then 10 lighter
 * partners; beyond 20 experts colours repeat, and tooltips say which expert a cell is.
 */
public final class Palette {
    private Palette() {}

    public static final int[] EXPERTS = {
            0xff4e79a7, 0xfff28e2b, 0xffe15759, 0xff76b7b2, 0xff59a14f, 0xffedc948, 0xffb07aa1, 0xffff9da7,
            0xff9c755f, 0xffbab0ac, 0xffa0cbe8, 0xffffbe7d, 0xffff9d9a, 0xff86bcb6, 0xff8cd17d, 0xfff1ce63,
            0xffd4a6c8, 0xfffabfd2, 0xffd7b5a6, 0xff79706e};

    public static int expert(int e) {
        return EXPERTS[Math.floorMod(e, EXPERTS.length)];
    }

    /** "#rrggbb" for CSS. */
    public static String css(int argb) {
        return String.format("#%06x", argb & 0xffffff);
    }

    public static java.awt.Color awt(int argb) {
        return new java.awt.Color(argb & 0xffffff);
    }

    /** Black or white, whichever reads better on the colour. */
    public static int textOn(int argb) {
        double l = 0.299 * ((argb >> 16) & 0xff) + 0.587 * ((argb >> 8) & 0xff) + 0.114 * (argb & 0xff);
        return l > 150 ? 0xff000000 : 0xffffffff;
    }
}
