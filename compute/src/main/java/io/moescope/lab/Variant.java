package io.moescope.lab;

import io.moescope.backend.Backend;
import io.moescope.backend.RouterSpec;
import io.moescope.backend.Tensor;
import io.moescope.checkpoint.WeightSource;
import io.moescope.model.DecoderLayer;
import io.moescope.model.ModelConfig;
import io.moescope.model.ModelLoader;
import io.moescope.model.MoeModel;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * A mechanism made ready to run: its model (the baseline's, or a copy from rounded weights on the
 * same backend) and its forward hook. Closing it frees a copy's weights.
 */
final class Variant implements AutoCloseable {
    final MoeModel model;
    final VariantOptions options;
    /** How long building it took: rounding weights, balancing router biases. */
    final long prepareNanos;
    private final MoeModel baseline;

    private Variant(MoeModel model, VariantOptions options, long prepareNanos, MoeModel baseline) {
        this.model = model;
        this.options = options;
        this.prepareNanos = prepareNanos;
        this.baseline = baseline;
    }

    /**
     * Builds the variant of {@code baseline} that {@code m} describes.
     *
     * @param weights where the baseline's weights came from, for precision variants; may be null otherwise
     * @param text    the chunks a bias-balancing variant adjusts its biases on
     */
    static Variant prepare(MoeModel baseline, WeightSource weights, Mechanism m, List<int[]> text, BooleanSupplier cancelled) {
        long t0 = System.nanoTime();
        ModelConfig cfg = baseline.config();
        RoutingVariant routing = m.routing().isNone() ? null : new RoutingVariant(m.routing(), cfg, routerSpec(baseline));
        VariantOptions options = new VariantOptions(m.attention(), routing, m.routing().bias());
        MoeModel variant = baseline;
        Precision p = m.precision();
        if (!p.isNone()) {
            if (weights == null) throw new IllegalArgumentException("precision variants need the model's weights (no weight source given)");
            WeightSource source = p.weights() == NumberFormat.FP32 ? weights : new RoundedWeights(weights, p.weights());
            Backend b = p.activations() == NumberFormat.FP32 ? baseline.backend() : new RoundingBackend(baseline.backend(), p.activations());
            variant = ModelLoader.load(source, cfg, b, false);
        }
        try {
            if (routing != null && m.routing().biasSteps() > 0) adjustBias(variant, options, m.routing(), text, cancelled);
        } catch (RuntimeException e) {
            if (variant != baseline) free(variant);
            throw e;
        }
        return new Variant(variant, options, System.nanoTime() - t0, baseline);
    }

    @Override
    public void close() {
        if (model != baseline) free(model);
    }

    /**
     * DeepSeek-V3's auxiliary-loss-free balancing: after each pass over a chunk, every MoE layer's
     * bias moves by the rate towards the experts that got fewer tokens than the mean
     * (b_e += rate * sign(mean load - load_e)); the choice uses score + bias, weights the score.
     */
    private static void adjustBias(MoeModel variant, VariantOptions options, RoutingChange change, List<int[]> text,
                                   BooleanSupplier cancelled) {
        int E = variant.config().numExperts();
        for (int step = 0; step < change.biasSteps(); step++) {
            for (int[] chunk : text) {
                Cancellation.check(cancelled);
                variant.forward(chunk, MoeModel.Probes.NONE, options);
                for (DecoderLayer layer : variant.layers()) {
                    if (!layer.isMoe()) continue;
                    RoutingVariant.Decision d = options.decision(layer.index());
                    long[] load = new long[E];
                    long total = 0;
                    for (int s = 0; s < d.index().length; s++) {
                        if (d.dropped()[s]) continue;
                        load[d.index()[s]]++;
                        total++;
                    }
                    double mean = (double) total / E;
                    float[] bias = options.learnedBias(layer.index(), E);
                    for (int e = 0; e < E; e++) bias[e] += (float) (change.biasRate() * Math.signum(mean - load[e]));
                }
            }
        }
    }

    /** @throws IllegalArgumentException when the mechanism's routing does not fit the model (k, disabled experts, groups) */
    static void check(MoeModel baseline, Mechanism m) {
        if (!m.routing().isNone()) new RoutingVariant(m.routing(), baseline.config(), routerSpec(baseline));
    }

    private static RouterSpec routerSpec(MoeModel model) {
        for (DecoderLayer l : model.layers()) if (l.isMoe()) return l.moe().router().spec();
        throw new IllegalArgumentException("routing change on a model without MoE layers");
    }

    /** Releases a copy's weights (device memory on GPU backends; on the heap, the garbage collector's). */
    private static void free(MoeModel m) {
        for (Tensor t : m.parameters().values()) t.close();
        for (DecoderLayer l : m.layers()) {
            if (l.isMoe() && l.moe().router().correctionBias() != null) l.moe().router().correctionBias().close();
        }
    }
}
