package io.moescope.viz.heatmap;

/**
 * Maps values to colours, linearly or logarithmically between a minimum and a maximum. The log
 * scale is what makes attention readable: most probabilities are tiny and a linear scale shows
 * only the few large ones.
 */
public record ColourScale(Kind kind, double min, double max) {

    public enum Kind { LINEAR, LOG }

    /** Smallest value a log scale shows; probabilities below it take the lowest colour. */
    public static final double LOG_FLOOR = 1e-4;

    public static ColourScale linear(double min, double max) {
        return new ColourScale(Kind.LINEAR, min, max);
    }

    public static ColourScale log(double min, double max) {
        return new ColourScale(Kind.LOG, Math.max(LOG_FLOOR, min), Math.max(LOG_FLOOR * 10, max));
    }

    /** Where the value sits between min and max, in [0, 1]. */
    public double fraction(double v) {
        double f = switch (kind) {
            case LINEAR -> max > min ? (v - min) / (max - min) : 0;
            case LOG -> Math.log(Math.max(v, min) / min) / Math.log(max / min);
        };
        return Double.isNaN(f) ? 0 : Math.max(0, Math.min(1, f));
    }

    public int argb(double v) {
        return ColourMap.at(fraction(v));
    }

    /** The value at a fraction of the range, for legend ticks. */
    public double valueAt(double fraction) {
        return switch (kind) {
            case LINEAR -> min + fraction * (max - min);
            case LOG -> min * Math.pow(max / min, fraction);
        };
    }
}
