package io.moescope.model;

import io.moescope.backend.Rotary;

/**
 * Rotary frequencies, default or YaRN, computed as transformers does (in float32), so that
 * positions far into a sequence still agree with it.
 */
public final class Rope {
    private Rope() {}

    public static Rotary rotary(RopeConfig cfg, int dim, boolean interleaved) {
        int half = dim / 2;
        float[] invFreq = new float[half];
        float[] posFreq = new float[half];
        for (int i = 0; i < half; i++) {
            posFreq[i] = (float) Math.pow(cfg.theta(), (float) (2 * i) / dim);
            invFreq[i] = 1f / posFreq[i];
        }
        if (!cfg.isYarn()) return new Rotary(invFreq, 1f, interleaved);
        double low = correctionDim(cfg.betaFast(), dim, cfg);
        double high = correctionDim(cfg.betaSlow(), dim, cfg);
        if (cfg.truncate()) {
            low = Math.floor(low);
            high = Math.ceil(high);
        }
        low = Math.max(low, 0);
        high = Math.min(high, dim - 1);
        if (low == high) high += 0.001;
        for (int i = 0; i < half; i++) {
            float ramp = (float) Math.min(1, Math.max(0, (i - low) / (high - low)));
            float extrapolationFactor = 1f - ramp;
            float interpolation = 1f / ((float) cfg.factor() * posFreq[i]);
            invFreq[i] = interpolation * (1 - extrapolationFactor) + invFreq[i] * extrapolationFactor;
        }
        return new Rotary(invFreq, (float) yarnAttentionFactor(cfg), interleaved);
    }

    private static double correctionDim(double rotations, int dim, RopeConfig cfg) {
        return (dim * Math.log(cfg.originalMaxPositions() / (rotations * 2 * Math.PI))) / (2 * Math.log(cfg.theta()));
    }

    static double yarnMscale(double scale, double mscale) {
        return scale <= 1 ? 1.0 : 0.1 * mscale * Math.log(scale) + 1.0;
    }

    private static double yarnAttentionFactor(RopeConfig cfg) {
        if (!Double.isNaN(cfg.attentionFactor())) return cfg.attentionFactor();
        if (cfg.mscale() != 0 && cfg.mscaleAllDim() != 0) {
            return yarnMscale(cfg.factor(), cfg.mscale()) / yarnMscale(cfg.factor(), cfg.mscaleAllDim());
        }
        return yarnMscale(cfg.factor(), 1.0);
    }
}
