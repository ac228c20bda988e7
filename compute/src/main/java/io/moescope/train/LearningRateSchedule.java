package io.moescope.train;

/** Linear warm-up to the peak rate, then a cosine decay to minRatio x peak at the last step. */
public record LearningRateSchedule(double peak, int warmupSteps, int totalSteps, double minRatio) {

    /** The rate for a step counted from 1. */
    public double at(int step) {
        if (warmupSteps > 0 && step <= warmupSteps) return peak * step / warmupSteps;
        int decaySteps = Math.max(1, totalSteps - warmupSteps);
        double progress = Math.min(1.0, (double) (step - warmupSteps) / decaySteps);
        double cosine = 0.5 * (1 + Math.cos(Math.PI * progress));
        return peak * (minRatio + (1 - minRatio) * cosine);
    }
}
