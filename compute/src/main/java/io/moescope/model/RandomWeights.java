package io.moescope.model;

import io.moescope.checkpoint.WeightSource;
import io.moescope.tensor.FloatTensor;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Seeded weights for a fresh model, initialised as transformers' {@code _init_weights} does:
 * linear and embedding weights from N(0, std), biases 0, norm scales 1, DeepSeek-V3's correction
 * bias 0. Each tensor draws from its own stream seeded by the seed and its name, so its values do
 * not depend on which tensors came before it. Experts are offered one by one, never fused, except
 * Granite's, whose only names are fused ones.
 */
public record RandomWeights(long seed, double std) implements WeightSource {

    public RandomWeights {
        if (!(std >= 0) || Double.isInfinite(std)) throw new IllegalArgumentException("initializer std must be a finite value >= 0, got " + std);
    }

    @Override
    public Path origin() {
        return Path.of("(random weights, seed " + seed + ")");
    }

    @Override
    public boolean has(String name) {
        return !name.endsWith("experts.gate_up_proj") && !name.endsWith("experts.down_proj");
    }

    @Override
    public FloatTensor require(String name, long... shape) {
        float[] v = new float[Math.toIntExact(Arrays.stream(shape).reduce(1, Math::multiplyExact))];
        values(name).next(v, 0, v.length);
        return FloatTensor.of(v, shape);
    }

    /**
     * The values {@link #require} gives tensor {@code name}, in row-major order, a chunk at a time:
     * a tensor larger than memory (a random checkpoint's) is produced without being held.
     */
    public Values values(String name) {
        if (name.endsWith("norm.weight")) return (dst, from, n) -> Arrays.fill(dst, from, from + n, 1f);
        if (name.endsWith(".bias") || name.endsWith("e_score_correction_bias")) return (dst, from, n) -> Arrays.fill(dst, from, from + n, 0f);
        SplittableRandom rnd = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + name.hashCode());
        return (dst, from, n) -> {
            for (int i = from; i < from + n; i++) dst[i] = (float) (rnd.nextGaussian() * std);
        };
    }

    /** A tensor's values in order; each call continues where the last stopped. */
    public interface Values {
        void next(float[] dst, int from, int count);
    }
}
