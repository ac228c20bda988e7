package io.moescope.model;

/**
 * Rotary position embeddings, default or YaRN, computed as transformers does (frequencies in
 * float32, angles from float32 positions) so that positions far into a sequence still agree.
 */
public final class Rope {
    private final int dim;
    private final float[] invFreq;
    private final float attentionFactor;
    private final boolean interleaved;

    public Rope(RopeConfig cfg, int dim, boolean interleaved) {
        this.dim = dim;
        this.interleaved = interleaved;
        int half = dim / 2;
        invFreq = new float[half];
        float[] posFreq = new float[half];
        for (int i = 0; i < half; i++) {
            posFreq[i] = (float) Math.pow(cfg.theta(), (float) (2 * i) / dim);
            invFreq[i] = 1f / posFreq[i];
        }
        if (cfg.isYarn()) {
            yarn(cfg, posFreq);
            attentionFactor = (float) yarnAttentionFactor(cfg);
        } else {
            attentionFactor = 1f;
        }
    }

    private void yarn(RopeConfig cfg, float[] posFreq) {
        int half = dim / 2;
        double low = correctionDim(cfg.betaFast(), cfg);
        double high = correctionDim(cfg.betaSlow(), cfg);
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
            float extrapolation = 1f / posFreq[i];
            float interpolation = 1f / ((float) cfg.factor() * posFreq[i]);
            invFreq[i] = interpolation * (1 - extrapolationFactor) + extrapolation * extrapolationFactor;
        }
    }

    private double correctionDim(double rotations, RopeConfig cfg) {
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

    /**
     * Rotates, in place, the {@code dim} values starting at {@code offset} of each of {@code heads}
     * vectors of width {@code stride} for every position t: x is [T, heads, stride].
     */
    public void apply(float[] x, int T, int heads, int stride, int offset) {
        int half = dim / 2;
        float[] tmp = new float[dim];
        for (int t = 0; t < T; t++) {
            for (int h = 0; h < heads; h++) {
                int base = (t * heads + h) * stride + offset;
                if (interleaved) {
                    // DeepSeek stores rotary pairs interleaved; de-interleave so the rotation below is the same.
                    for (int i = 0; i < half; i++) {
                        tmp[i] = x[base + 2 * i];
                        tmp[half + i] = x[base + 2 * i + 1];
                    }
                } else {
                    System.arraycopy(x, base, tmp, 0, dim);
                }
                for (int i = 0; i < half; i++) {
                    float angle = (float) t * invFreq[i];
                    float cos = (float) Math.cos(angle) * attentionFactor;
                    float sin = (float) Math.sin(angle) * attentionFactor;
                    float a = tmp[i], b = tmp[half + i];
                    x[base + i] = a * cos - b * sin;
                    x[base + half + i] = b * cos + a * sin;
                }
            }
        }
    }
}
