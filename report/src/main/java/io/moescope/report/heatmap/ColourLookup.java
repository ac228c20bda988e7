package io.moescope.report.heatmap;

/**
 * A colour scale turned into one table lookup per value, for the loops that colour every pixel of
 * a heatmap. Linear: one multiply indexes the ramp. Log: the float's bits are almost a logarithm
 * (exponent, then mantissa), so its top bits index a table holding a colour for each 1/256 of the
 * mantissa of every octave between the scale's minimum and maximum: no logarithm per pixel. A
 * value is coloured as the middle of its slice, at most log2(1 + 1/256) / 2 = 0.0028 octave away
 * (a twentieth of a ramp step on the attention scale 1e-4..1), so only values that close to a
 * step's edge can take the neighbouring colour of {@link ColourScale#argb}.
 */
public final class ColourLookup {
    /** Mantissa bits of the log table's index: 256 slices per octave. */
    private static final int MANTISSA_BITS = 8, SHIFT = 23 - MANTISSA_BITS;

    private final boolean log;
    private final int[] ramp;
    private final int top;
    // linear
    private final float min, perStep;
    // log
    private final int[] table;
    private final int base;

    public ColourLookup(ColourScale scale) {
        log = scale.kind() == ColourScale.Kind.LOG;
        ramp = scale.ramp();
        top = ramp.length - 1;
        min = (float) scale.min();
        perStep = (float) (scale.max() > scale.min() ? top / (scale.max() - scale.min()) : 0);
        if (!log) {
            table = null;
            base = 0;
            return;
        }
        // Indices of the octave slices holding min and max; all below min take the first colour,
        // all above max the last.
        base = Float.floatToRawIntBits((float) scale.min()) >> SHIFT;
        int last = Float.floatToRawIntBits((float) scale.max()) >> SHIFT;
        table = new int[Math.max(1, last - base + 1)];
        for (int i = 0; i < table.length; i++) {
            // the geometric middle of the slice
            float lo = Float.intBitsToFloat((base + i) << SHIFT), hi = Float.intBitsToFloat((base + i + 1) << SHIFT);
            table[i] = scale.argb(Math.sqrt((double) lo * hi));
        }
        table[0] = ramp[0];
        table[table.length - 1] = ColourMap.at(scale.fraction(scale.max()));
    }

    /** ARGB colour of a value; NaN takes the lowest colour. */
    public int argb(float v) {
        if (log) {
            // Negative floats give i < 0. Small values are common and unpredictable in attention
            // maps, so they are clamped without a branch; values above the maximum are rare.
            int i = Math.max(0, (Float.floatToRawIntBits(v) >> SHIFT) - base);
            if (i < table.length) return table[i];
            return v != v ? ramp[0] : table[table.length - 1];
        }
        float f = (v - min) * perStep;
        return ramp[f <= 0 || f != f ? 0 : f >= top ? top : (int) (f + 0.5f)];
    }
}
