package io.moescope.lab;

import io.moescope.analysis.Analysis;
import io.moescope.analysis.AnalysisService;
import io.moescope.analysis.LoadedModel;
import io.moescope.analysis.ProgressListener;
import io.moescope.checkpoint.WeightSource;
import io.moescope.model.MoeModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;

/**
 * The mechanism lab: runs a model unchanged and with one mechanism changed on the same tokens, and
 * measures the difference. The workbench's compare mode, its sweeps and {@code moescope sweep} all
 * call this. A comparison runs here; a sweep in {@link SweepRunner}, with its values from
 * {@link SweepCatalogue}; each variant is built by {@link Variant} and its weights sized by
 * {@link WeightBytes}.
 */
public final class LabService {
    private final MoeModel model;
    private final WeightSource weights;

    /**
     * @param weights where the model's weights came from, for variants that round them (the model
     *                is rebuilt from rounded copies on the same backend)
     */
    public LabService(MoeModel model, WeightSource weights) {
        this.model = model;
        this.weights = weights;
    }

    /** A service on the loaded model as it is now; for work that runs it, prefer {@link #on}. */
    public static LabService of(LoadedModel m) {
        return new LabService(m.model(), m.checkpoint());
    }

    /**
     * Lab work on a loaded model, as its analyses run: the run limits are checked for the longest
     * sequence first, and when the GPU runs out of memory the model moves to the CPU (if the model
     * was opened to allow it) and the work runs again there.
     *
     * @param tokens the longest sequence the work runs
     */
    public static <T> T on(LoadedModel m, int tokens, java.util.function.Function<LabService, T> work) {
        m.checkLimits(tokens, null);
        return m.onDevice(model -> work.apply(new LabService(model, m.checkpoint())));
    }

    /** {@link #on} for work over these chunks: the limits are checked for the longest. */
    public static <T> T on(LoadedModel m, List<int[]> chunks, java.util.function.Function<LabService, T> work) {
        return on(m, chunks.stream().mapToInt(c -> c.length).max().orElse(0), work);
    }

    public MoeModel model() {
        return model;
    }

    /**
     * Analyses the prompt with the baseline and with the variant, every probe on.
     *
     * @throws CancellationException when {@code cancelled} turns true
     */
    public Comparison compare(int[] ids, List<String> tokens, Mechanism variant, ProgressListener progress,
                              BooleanSupplier cancelled) {
        // Refused before the baseline runs: finding out after it would waste it.
        Variant.check(model, variant);
        Cancellation.check(cancelled);
        progress.progress(0, 3, "baseline");
        Analysis base = AnalysisService.analyse(model, ids, tokens);
        Cancellation.check(cancelled);
        progress.progress(1, 3, "preparing " + variant.label());
        try (Variant v = Variant.prepare(model, weights, variant, List.of(ids), cancelled)) {
            Cancellation.check(cancelled);
            progress.progress(2, 3, variant.label());
            Analysis var = withoutDroppedSlots(AnalysisService.analyse(v.model, ids, tokens, v.options), v.options);
            MetricsAccumulator acc = new MetricsAccumulator(model.config().numExperts());
            acc.add(base.forward(), var.forward(), v.options, variant.attention() != null, base.forwardNanos(), var.forwardNanos());
            WeightBytes bytes = new WeightBytes(model, weights);
            VariantMetrics metrics = acc.build(bytes.baseline(), bytes.variant(variant.precision()), v.prepareNanos);
            progress.progress(3, 3, "done");
            return new Comparison(variant, base, var, metrics);
        }
    }

    /**
     * Measures each value of the sweep against the baseline over all chunks of the text (metrics
     * are token-weighted means over chunks; counts are summed).
     *
     * @param values the settings to try; empty for {@link SweepCatalogue#defaultValues}
     * @throws CancellationException when {@code cancelled} turns true
     */
    public SweepResult sweep(List<int[]> chunks, SweepKind kind, List<Double> values, ProgressListener progress,
                             BooleanSupplier cancelled) {
        return new SweepRunner(model, weights).run(chunks, kind, values, progress, cancelled);
    }

    /**
     * The variant's expert load as the experts really received it: a slot over capacity stays in
     * the routing (with weight 0, so the views can show where it would have gone) but is no load.
     */
    private static Analysis withoutDroppedSlots(Analysis a, VariantOptions options) {
        io.moescope.analysis.ExpertLoad load = a.load();
        long[][] counts = new long[load.moeLayers()][];
        boolean any = false;
        for (int i = 0; i < counts.length; i++) {
            counts[i] = load.counts()[i].clone();
            RoutingVariant.Decision d = options.decision(load.layers()[i]);
            if (d == null || d.droppedCount() == 0) continue;
            for (int s = 0; s < d.dropped().length; s++) {
                if (d.dropped()[s]) counts[i][d.index()[s]]--;
            }
            any = true;
        }
        if (!any) return a;
        var kept = new io.moescope.analysis.ExpertLoad(load.experts(), load.topK(), load.layers(), load.tokens(), counts,
                load.meanProb(), load.auxLoss(), load.auxLossPerLayer());
        return new Analysis(a.config(), a.forward(), a.tokens(), kept, a.routing(), a.flows(), a.attention(),
                a.forwardNanos(), a.totalNanos());
    }

    /** Splits a long text's ids into full chunks of {@code chunkTokens} (a shorter text is one chunk). */
    public static List<int[]> chunks(int[] ids, int chunkTokens) {
        if (chunkTokens < 1) throw new IllegalArgumentException("chunk size must be at least 1 token, got " + chunkTokens);
        if (ids.length == 0) throw new IllegalArgumentException("no tokens to split into chunks");
        if (ids.length <= chunkTokens) return List.of(ids.clone());
        List<int[]> out = new ArrayList<>();
        for (int from = 0; from + chunkTokens <= ids.length; from += chunkTokens) {
            out.add(Arrays.copyOfRange(ids, from, from + chunkTokens));
        }
        return out;
    }
}
