package io.moescope.lab;

import io.moescope.backend.AttentionPattern;
import io.moescope.model.ModelConfig;
import java.util.ArrayList;
import java.util.List;

/** What each kind of sweep tries: its default values for a model, and the variant each value stands for. */
public final class SweepCatalogue {
    private SweepCatalogue() {}

    /**
     * The values a sweep tries by default for this model: k = 1..E, windows and kept keys in powers
     * of two (4..256, 1..64), capacity factors 0.5..2, every weight format but float32.
     *
     * @throws IllegalArgumentException for a routing sweep on a model without MoE layers
     */
    public static List<Double> defaultValues(SweepKind kind, ModelConfig cfg) {
        List<Double> out = new ArrayList<>();
        switch (kind) {
            case TOPK -> {
                requireMoe(cfg, kind);
                for (int k = 1; k <= cfg.numExperts(); k++) out.add((double) k);
            }
            case WINDOW -> {
                for (int w = 4; w <= 256; w *= 2) out.add((double) w);
            }
            case SPARSITY -> {
                for (int k = 1; k <= 64; k *= 2) out.add((double) k);
            }
            case CAPACITY -> {
                requireMoe(cfg, kind);
                out.addAll(List.of(0.5, 0.75, 1.0, 1.25, 1.5, 2.0));
            }
            case PRECISION -> {
                for (NumberFormat f : NumberFormat.values()) if (f != NumberFormat.FP32) out.add((double) f.ordinal());
            }
        }
        return out;
    }

    /**
     * The variant one sweep value stands for.
     *
     * @throws IllegalArgumentException for a value the kind cannot take
     */
    public static Mechanism mechanismFor(SweepKind kind, double value, ModelConfig cfg) {
        int n = (int) value;
        if (kind != SweepKind.CAPACITY && (n != value || n < (kind == SweepKind.PRECISION ? 0 : 1))) {
            throw new IllegalArgumentException(kind.cliName() + " sweep: " + value + " is not a " + (kind == SweepKind.PRECISION ? "format index" : "positive whole number"));
        }
        return switch (kind) {
            case TOPK -> {
                requireMoe(cfg, kind);
                if (n > cfg.numExperts()) throw new IllegalArgumentException("topk sweep: k = " + n + " exceeds the " + cfg.numExperts() + " experts");
                yield new Mechanism("k=" + n, RoutingChange.NONE.withK(n), null, Precision.NONE);
            }
            case WINDOW -> new Mechanism("window " + n, RoutingChange.NONE, AttentionPattern.window(n), Precision.NONE);
            // Keeps the model's own sliding window (Mixtral) and selects within it.
            case SPARSITY -> new Mechanism("top-" + n + " keys", RoutingChange.NONE,
                    new AttentionPattern(cfg.architecture().usesMla() ? 0 : cfg.slidingWindow(), 1, null, n), Precision.NONE);
            case CAPACITY -> {
                requireMoe(cfg, kind);
                if (!(value > 0) || Double.isInfinite(value)) throw new IllegalArgumentException("capacity sweep: factor " + value + " must be a positive number");
                yield new Mechanism("capacity " + trim(value), RoutingChange.NONE.withCapacity(value), null, Precision.NONE);
            }
            case PRECISION -> {
                if (n >= NumberFormat.values().length) throw new IllegalArgumentException("precision sweep: format index " + n + " outside 0.." + (NumberFormat.values().length - 1));
                NumberFormat f = NumberFormat.values()[n];
                yield new Mechanism(f.cliName(), RoutingChange.NONE, null, new Precision(f, NumberFormat.FP32));
            }
        };
    }

    private static void requireMoe(ModelConfig cfg, SweepKind kind) {
        if (cfg.moeLayerCount() == 0) throw new IllegalArgumentException(kind.cliName() + " sweep: the model has no MoE layers");
    }

    private static String trim(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
