package io.moescope.lab;

import io.moescope.checkpoint.WeightSource;
import io.moescope.tensor.FloatTensor;
import java.nio.file.Path;

/**
 * Another source's weights with every matrix rounded to a format (weight-only quantisation as it
 * is usually done): embeddings, attention and expert projections and the output head are
 * rounded; vectors (norm scales, biases, DeepSeek-V3's correction bias) and the routers' small
 * gate matrices stay float32, as quantisation toolkits keep them. Rounded tensors are copies on
 * the heap, so a mapped checkpoint is never written.
 */
final class RoundedWeights implements WeightSource {
    private final WeightSource inner;
    private final NumberFormat format;

    RoundedWeights(WeightSource inner, NumberFormat format) {
        this.inner = inner;
        this.format = format;
    }

    /** Whether the tensor of this name and rank is rounded. */
    static boolean rounds(String name, int rank) {
        return rank >= 2 && !isRouterGate(name);
    }

    /** The router's gate ([E, D]) and Qwen2-MoE's shared-expert gate ([1, D]). */
    static boolean isRouterGate(String name) {
        return name.endsWith(".gate.weight") || name.endsWith("shared_expert_gate.weight");
    }

    @Override
    public Path origin() {
        return inner.origin();
    }

    @Override
    public boolean has(String name) {
        return inner.has(name);
    }

    @Override
    public FloatTensor require(String name, long... shape) {
        FloatTensor t = inner.require(name, shape);
        if (format == NumberFormat.FP32 || !rounds(name, t.rank())) return t;
        return FloatTensor.of(Rounding.round(t.toArray(), t.dim(t.rank() - 1), format), shape);
    }
}
