package io.moescope.model;

/**
 * Rotary position embedding settings, from {@code rope_parameters} (transformers 5) or
 * {@code rope_scaling} plus {@code rope_theta} (older configs).
 *
 * @param type        "default" or "yarn"
 * @param factor      YaRN context extension factor
 * @param originalMaxPositions pre-training context length that YaRN's correction range is measured against
 * @param attentionFactor explicit YaRN attention factor, or NaN to derive it from mscale
 * @param mscale      YaRN mscale, or 0 when absent
 * @param mscaleAllDim DeepSeek's mscale_all_dim, or 0 when absent
 */
public record RopeConfig(String type, double theta, double factor, int originalMaxPositions,
                         double attentionFactor, double betaFast, double betaSlow,
                         double mscale, double mscaleAllDim, boolean truncate) {

    public boolean isYarn() {
        return "yarn".equals(type);
    }

    public static RopeConfig standard(double theta) {
        return new RopeConfig("default", theta, 1.0, 0, Double.NaN, 32, 1, 0, 0, true);
    }
}
