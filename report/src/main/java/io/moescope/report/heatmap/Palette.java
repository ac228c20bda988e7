package io.moescope.report.heatmap;

/**
 * Distinct colours for categories (experts, series): the Okabe-Ito palette, which stays distinct
 * for readers with the common colour-vision deficiencies, then the same eight colours as light
 * tints; beyond 16 categories colours repeat, and tooltips say which expert a cell is.
 */
public final class Palette {
    private Palette() {}

    /** Okabe &amp; Ito (2008): blue, orange, bluish green, vermillion, sky blue, reddish purple, yellow, black. */
    private static final int[] OKABE_ITO = {0x0072b2, 0xe69f00, 0x009e73, 0xd55e00, 0x56b4e9, 0xcc79a7, 0xf0e442, 0x000000};

    public static final int[] EXPERTS = withTints(OKABE_ITO);

    private static int[] withTints(int[] base) {
        int[] out = new int[2 * base.length];
        for (int i = 0; i < base.length; i++) {
            out[i] = 0xff000000 | base[i];
            int r = (base[i] >> 16) & 0xff, g = (base[i] >> 8) & 0xff, b = base[i] & 0xff;
            out[base.length + i] = 0xff000000 | ((r + 255) / 2 << 16) | ((g + 255) / 2 << 8) | (b + 255) / 2;
        }
        return out;
    }

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
