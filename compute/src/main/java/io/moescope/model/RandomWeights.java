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
 * not depend on which tensors came before it. Experts are offered one by one, never fused.
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
        if (name.endsWith("norm.weight")) {
            Arrays.fill(v, 1f);
        } else if (!name.endsWith(".bias") && !name.endsWith("e_score_correction_bias")) {
            SplittableRandom rnd = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + name.hashCode());
            for (int i = 0; i < v.length; i++) v[i] = (float) (rnd.nextGaussian() * std);
        }
        return FloatTensor.of(v, shape);
    }
}
