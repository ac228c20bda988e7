package io.moescope.lab;

/**
 * Rounding applied to a model at inference.
 *
 * @param weights     format every weight matrix is rounded to (norm weights and biases stay float32)
 * @param activations format the input of every matrix product is rounded to (per token row for
 *                    the scaled formats); FP32 for none
 */
public record Precision(NumberFormat weights, NumberFormat activations) {
    public static final Precision NONE = new Precision(NumberFormat.FP32, NumberFormat.FP32);

    public boolean isNone() {
        return weights == NumberFormat.FP32 && activations == NumberFormat.FP32;
    }
}
