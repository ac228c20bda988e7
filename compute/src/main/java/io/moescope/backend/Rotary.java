package io.moescope.backend;

/**
 * Rotary position embedding tables: angle(t, i) = t * invFreq[i] for the first dim/2 frequencies;
 * cos and sin are multiplied by attentionFactor (YaRN). Interleaved tables rotate pairs (2i, 2i+1)
 * as DeepSeek stores them, else pairs (i, i + dim/2); both yield the same attention scores.
 */
public record Rotary(float[] invFreq, float attentionFactor, boolean interleaved) {
    public int dim() {
        return invFreq.length * 2;
    }
}
