package io.moescope.report.heatmap;

/**
 * Maps values to colours, linearly or logarithmically between a minimum and a maximum. The log
 * scale is what makes attention readable: most probabilities are tiny and a linear scale shows
 * only the few large ones.
 */
public record ColourScale(Kind kind, double min, double max) {

    /**
     * LINEAR and LOG use the viridis ramp; DIVERGING is linear over a range symmetric about zero on a
     * blue-white-red ramp, for differences (a variant minus the baseline), where zero must read as "no change".
     */
    public enum Kind { LINEAR, LOG, DIVERGING }

    /** Smallest value a log scale shows; probabilities below it take the lowest colour. */
    public static final double LOG_FLOOR = 1e-4;

    public static ColourScale linear(double min, double max) {
        return new ColourScale(Kind.LINEAR, min, max);
    }

    /** Blue for -maxAbs, white for 0, red for +maxAbs. */
    public static ColourScale diverging(double maxAbs) {
        double m = maxAbs > 0 && Double.isFinite(maxAbs) ? maxAbs : 1;
        return new ColourScale(Kind.DIVERGING, -m, m);
    }

    /** The colour ramp of this kind of scale, ARGB entries from min to max. */
    public int[] ramp() {
        return kind == Kind.DIVERGING ? ColourMap.DIVERGING : ColourMap.RAMP;
    }

    public static ColourScale log(double min, double max) {
        return new ColourScale(Kind.LOG, Math.max(LOG_FLOOR, min), Math.max(LOG_FLOOR * 10, max));
    }

    /** Where the value sits between min and max, in [0, 1]. */
    public double fraction(double v) {
        double f = switch (kind) {
            case LINEAR, DIVERGING -> max > min ? (v - min) / (max - min) : 0;
            case LOG -> Math.log(Math.max(v, min) / min) / Math.log(max / min);
        };
        return Double.isNaN(f) ? 0 : Math.max(0, Math.min(1, f));
    }

    public int argb(double v) {
        int[] ramp = ramp();
        return ramp[(int) Math.round(fraction(v) * (ramp.length - 1))];
    }

    /** The value at a fraction of the range, for legend ticks. */
    public double valueAt(double fraction) {
        return switch (kind) {
            case LINEAR, DIVERGING -> min + fraction * (max - min);
            case LOG -> min * Math.pow(max / min, fraction);
        };
    }
}
