package io.moescope.model;

import io.moescope.backend.Backend;

/**
 * A model of a given config with seeded random weights, built in memory with no checkpoint: for
 * training from scratch and for benchmarks. Same structure and parameter names as a loaded
 * checkpoint, because {@link ModelLoader} builds both; its weights are writable.
 */
public final class RandomModel {
    private RandomModel() {}

    /** transformers' default initializer_range. */
    public static final double DEFAULT_STD = 0.02;

    /** As {@link #create(ModelConfig, Backend, long, double)} with std 0.02. */
    public static MoeModel create(ModelConfig cfg, Backend backend, long seed) {
        return create(cfg, backend, seed, DEFAULT_STD);
    }

    /** @param std standard deviation of the normal init (a config's initializer_range) */
    public static MoeModel create(ModelConfig cfg, Backend backend, long seed, double std) {
        return ModelLoader.load(new RandomWeights(seed, std), cfg, backend, true);
    }
}
