package io.moescope.report.heatmap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class HeatmapRasterTest {

    @Test
    void logLookupIsWithinAFractionOfAColourStep() {
        // Against the scale's own colour (a logarithm per value): the table may differ by one ramp
        // step only for values within half a table slice, log2(1 + 1/256) / 2 octave, of a step's edge.
        ColourScale s = ColourScale.log(1e-4, 1);
        ColourLookup lookup = new ColourLookup(s);
        Random r = new Random(3);
        int off = 0;
        for (int i = 0; i < 100_000; i++) {
            float v = (float) Math.pow(10, -5 + 5.5 * r.nextDouble());
            int want = index(s.argb(v)), got = index(lookup.argb(v));
            assertTrue(Math.abs(want - got) <= 1, "at " + v + ": ramp " + got + " instead of " + want);
            if (want != got) {
                off++;
                double edge = (Math.round(s.fraction(v) * 255 - 0.5) + 0.5) / 255;   // the nearest step edge
                assertEquals(edge, s.fraction(v), Math.log1p(1 / 256.0) / 2 / Math.log(1e4) + 1e-6, "only near an edge, at " + v);
            }
        }
        assertTrue(off < 5_000, off + " of 100000 values took the neighbouring colour");
    }

    private static int index(int argb) {
        for (int i = 0; i < ColourMap.RAMP.length; i++) if (ColourMap.RAMP[i] == argb) return i;
        throw new AssertionError("not a ramp colour: " + Integer.toHexString(argb));
    }

    @Test
    void logScaleColoursMatchTheScale() {
        ColourScale s = ColourScale.log(1e-4, 1);
        float[] v = {0, 1e-5f, 1e-4f, 1e-3f, 1e-2f, 0.1f, 1f, 2f};
        int[] out = new int[v.length];
        HeatmapRaster.fill(v, 1, v.length, s, out);
        for (int i = 0; i < v.length; i++) assertEquals(s.argb(v[i]), out[i], "value " + v[i]);
        assertEquals(ColourMap.RAMP[0], out[0], "zero takes the lowest colour");
        assertEquals(ColourMap.RAMP[255], out[7], "above the maximum is clamped");
    }

    @Test
    void linearScaleColoursMatchTheScale() {
        ColourScale s = ColourScale.linear(0, 4);
        float[] v = {-1, 0, 1, 2, 3, 4, 5};
        int[] out = new int[v.length];
        HeatmapRaster.fill(v, 1, v.length, s, out);
        for (int i = 0; i < v.length; i++) assertEquals(s.argb(v[i]), out[i], "value " + v[i]);
    }

    @Test
    void largeMapsUseAllCoresAndGiveTheSameColours() {
        int n = 512;
        float[] v = new float[n * n];
        Random r = new Random(1);
        for (int i = 0; i < v.length; i++) v[i] = r.nextFloat();
        int[] par = new int[v.length];
        HeatmapRaster.fill(v, n, n, ColourScale.linear(0, 1), par);
        for (int i = 0; i < v.length; i += 997) assertEquals(ColourScale.linear(0, 1).argb(v[i]), par[i]);
    }

    @Test
    void resampleKeepsTheMaximumWhenShrinkingAndRepeatsWhenGrowing() {
        float[] v = {0, 0, 0, 9,
                     0, 0, 0, 0,
                     1, 0, 0, 0,
                     0, 0, 2, 0};
        assertArrayEquals(new float[]{0, 9, 1, 2}, HeatmapRaster.resampleMax(v, 0, 4, 4, 2, 2));
        float[] grown = HeatmapRaster.resampleMax(new float[]{1, 2, 3, 4}, 0, 2, 2, 4, 4);
        assertArrayEquals(new float[]{1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4}, grown);
    }

    @Test
    void categoriesTakePaletteColours() {
        int[] out = new int[3];
        HeatmapRaster.fillCategorical(new float[]{0, 2, -1}, Palette.EXPERTS, out);
        assertEquals(Palette.EXPERTS[0], out[0]);
        assertEquals(Palette.EXPERTS[2], out[1]);
        assertEquals(0xffffffff, out[2]);
    }

    @Test
    void rampRunsFromDarkToLight() {
        int dark = ColourMap.RAMP[0], light = ColourMap.RAMP[255];
        assertTrue(lum(dark) < lum(ColourMap.RAMP[128]) && lum(ColourMap.RAMP[128]) < lum(light));
    }

    @Test
    void zoomedOutDifferenceMapKeepsTheStrongestChangeWithItsSign() {
        float[] v = new float[16];
        java.util.Arrays.fill(v, 0.1f);
        v[9] = -0.9f;
        ColourScale s = ColourScale.diverging(1);
        int[] px = new int[1];
        HeatmapRaster.render(v, 4, 4, 0, 0, 4, 4, 1, 1, s, px);
        assertEquals(s.argb(-0.9f), px[0], "one pixel for 16 cells shows the -0.9 change");
        v[9] = 0.05f;
        HeatmapRaster.render(v, 4, 4, 0, 0, 4, 4, 1, 1, s, px);
        assertEquals(s.argb(0.1f), px[0]);
    }

    private static double lum(int c) {
        return 0.299 * ((c >> 16) & 0xff) + 0.587 * ((c >> 8) & 0xff) + 0.114 * (c & 0xff);
    }
}
