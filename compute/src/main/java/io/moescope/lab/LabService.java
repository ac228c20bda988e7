package io.moescope.lab;

import io.moescope.analysis.Analysis;
import io.moescope.analysis.AnalysisService;
import io.moescope.analysis.LoadedModel;
import io.moescope.analysis.ProgressListener;
import io.moescope.backend.AttentionPattern;
import io.moescope.backend.Backend;
import io.moescope.backend.RouterSpec;
import io.moescope.checkpoint.Checkpoint;
import io.moescope.checkpoint.WeightSource;
import io.moescope.model.DecoderLayer;
import io.moescope.model.ForwardResult;
import io.moescope.model.ModelConfig;
import io.moescope.model.ModelLoader;
import io.moescope.model.MoeModel;
import io.moescope.backend.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;

/**
 * The mechanism lab: runs a model unchanged and with one mechanism changed on the same tokens, and
 * measures the difference. The workbench's compare mode, its sweeps and {@code moescope sweep} all
 * call this.
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
     * @throws java.util.concurrent.CancellationException when {@code cancelled} turns true
     */
    public Comparison compare(int[] ids, List<String> tokens, Mechanism variant, ProgressListener progress,
                              BooleanSupplier cancelled) {
        check(cancelled);
        progress.progress(0, 3, "baseline");
        Analysis base = AnalysisService.analyse(model, ids, tokens);
        check(cancelled);
        progress.progress(1, 3, "preparing " + variant.label());
        try (Variant v = prepare(variant, List.of(ids), cancelled)) {
            check(cancelled);
            progress.progress(2, 3, variant.label());
            Analysis var = withoutDroppedSlots(AnalysisService.analyse(v.model, ids, tokens, v.options), v.options);
            MetricsAccumulator acc = new MetricsAccumulator(model.config().numExperts());
            acc.add(base.forward(), var.forward(), v.options, variant.attention() != null, base.forwardNanos(), var.forwardNanos());
            VariantMetrics metrics = acc.build(baselineBytes(), variantBytes(variant.precision()), v.prepareNanos);
            progress.progress(3, 3, "done");
            return new Comparison(variant, base, var, metrics);
        }
    }

    /**
     * Measures each value of the sweep against the baseline over all chunks of the text (metrics
     * are token-weighted means over chunks; counts are summed).
     *
     * @param values the settings to try; empty for {@link #defaultValues}
     * @throws java.util.concurrent.CancellationException when {@code cancelled} turns true
     */
    public SweepResult sweep(List<int[]> chunks, SweepKind kind, List<Double> values, ProgressListener progress,
                             BooleanSupplier cancelled) {
        if (chunks.isEmpty()) throw new IllegalArgumentException("no text to sweep over");
        List<Double> settings = values == null || values.isEmpty() ? defaultValues(kind) : values;
        ModelConfig cfg = model.config();
        List<Mechanism> mechanisms = new ArrayList<>();
        for (double v : settings) mechanisms.add(mechanismFor(kind, v, cfg));   // refuses bad values before any work
        boolean attention = kind == SweepKind.WINDOW || kind == SweepKind.SPARSITY;
        MoeModel.Probes probes = new MoeModel.Probes(attention, false, true);
        long total = (long) chunks.size() * (1 + settings.size()), done = 0, tokens = 0;
        // The baseline once per chunk, kept, so that each value's variant is built only once; unless
        // keeping every chunk's logits (and attention) would take too much of the heap: then it is
        // run again beside each value.
        boolean keepBaseline = baselineBytes(chunks, attention) <= Runtime.getRuntime().maxMemory() / 4;
        List<ForwardResult> base = new ArrayList<>();
        long[] baseNanos = new long[chunks.size()];
        for (int c = 0; c < chunks.size(); c++) {
            check(cancelled);
            progress.progress(done, total, "baseline, chunk " + (c + 1) + " of " + chunks.size());
            long t0 = System.nanoTime();
            ForwardResult r = model.forward(chunks.get(c), probes);
            base.add(keepBaseline ? r : null);
            baseNanos[c] = System.nanoTime() - t0;
            tokens += chunks.get(c).length;
            done++;
        }
        List<SweepPoint> points = new ArrayList<>();
        for (int i = 0; i < settings.size(); i++) {
            Mechanism m = mechanisms.get(i);
            check(cancelled);
            progress.progress(done, total, m.label() + ": preparing");
            MetricsAccumulator acc = new MetricsAccumulator(cfg.numExperts());
            try (Variant v = prepare(m, chunks, cancelled)) {
                for (int c = 0; c < chunks.size(); c++) {
                    check(cancelled);
                    progress.progress(done, total, m.label() + ", chunk " + (c + 1) + " of " + chunks.size());
                    long t0 = System.nanoTime();
                    ForwardResult r = v.model.forward(chunks.get(c), probes, v.options);
                    long dt = System.nanoTime() - t0;
                    ForwardResult b = base.get(c) != null ? base.get(c) : model.forward(chunks.get(c), probes);
                    acc.add(b, r, v.options, m.attention() != null, baseNanos[c], dt);
                    done++;
                }
                points.add(new SweepPoint(settings.get(i), m, acc.build(baselineBytes(), variantBytes(m.precision()), v.prepareNanos)));
            }
        }
        progress.progress(total, total, "done");
        return new SweepResult(kind, modelName(), tokens, List.copyOf(points));
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

    /** What keeping the baseline's results for every chunk takes: logits, and attention when swept. */
    private long baselineBytes(List<int[]> chunks, boolean attention) {
        ModelConfig cfg = model.config();
        long bytes = 0;
        for (int[] c : chunks) {
            long T = c.length;
            bytes += 4 * T * cfg.vocabSize();
            if (attention) bytes += 4 * T * T * cfg.numHeads() * cfg.numLayers();
        }
        return bytes;
    }

    /**
     * The values a sweep tries by default for this model: k = 1..E, windows and kept keys in powers
     * of two (4..256, 1..64), capacity factors 0.5..2, every weight format but float32.
     *
     * @throws IllegalArgumentException for a routing sweep on a model without MoE layers
     */
    public List<Double> defaultValues(SweepKind kind) {
        ModelConfig cfg = model.config();
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

    // ---- variants ----------------------------------------------------------------------------

    /** A variant ready to run: its model (the baseline's, or a rounded copy) and its forward hook. */
    private final class Variant implements AutoCloseable {
        final MoeModel model;
        final VariantOptions options;
        final long prepareNanos;

        Variant(MoeModel model, VariantOptions options, long prepareNanos) {
            this.model = model;
            this.options = options;
            this.prepareNanos = prepareNanos;
        }

        @Override
        public void close() {
            if (model != LabService.this.model) free(model);
        }
    }

    private Variant prepare(Mechanism m, List<int[]> text, BooleanSupplier cancelled) {
        long t0 = System.nanoTime();
        ModelConfig cfg = model.config();
        RoutingVariant routing = m.routing().isNone() ? null : new RoutingVariant(m.routing(), cfg, routerSpec());
        VariantOptions options = new VariantOptions(m.attention(), routing, m.routing().bias());
        MoeModel variant = model;
        Precision p = m.precision();
        if (!p.isNone()) {
            if (weights == null) throw new IllegalArgumentException("precision variants need the model's weights (no weight source given)");
            WeightSource source = p.weights() == NumberFormat.FP32 ? weights : new RoundedWeights(weights, p.weights());
            Backend b = p.activations() == NumberFormat.FP32 ? model.backend() : new RoundingBackend(model.backend(), p.activations());
            variant = ModelLoader.load(source, cfg, b, false);
        }
        try {
            if (routing != null && m.routing().biasSteps() > 0) adjustBias(variant, options, m.routing(), text, cancelled);
        } catch (RuntimeException e) {
            if (variant != model) free(variant);
            throw e;
        }
        return new Variant(variant, options, System.nanoTime() - t0);
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
                check(cancelled);
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

    private RouterSpec routerSpec() {
        for (DecoderLayer l : model.layers()) if (l.isMoe()) return l.moe().router().spec();
        throw new IllegalArgumentException("routing change on a model without MoE layers");
    }

    /** Releases a variant's weights (device memory on GPU backends; on the heap, the garbage collector's). */
    private static void free(MoeModel m) {
        for (Tensor t : m.parameters().values()) t.close();
        for (DecoderLayer l : m.layers()) {
            if (l.isMoe() && l.moe().router().correctionBias() != null) l.moe().router().correctionBias().close();
        }
    }

    // ---- sizes -------------------------------------------------------------------------------

    /** The weights' bytes at the precision they are stored in (float32 where the source does not say). */
    private long baselineBytes() {
        long sum = 0;
        for (Map.Entry<String, Tensor> e : model.parameters().entrySet()) sum += storedBytes(e.getKey(), e.getValue());
        return sum;
    }

    private long storedBytes(String name, Tensor t) {
        if (weights instanceof Checkpoint c && c.has(name)) return c.info(name).byteSize();
        return 4 * t.size();
    }

    /** The weights' bytes in the variant's format, scales included; tensors it does not round as stored. */
    private long variantBytes(Precision p) {
        if (p.weights() == NumberFormat.FP32) return baselineBytes();
        long sum = 0;
        for (Map.Entry<String, Tensor> e : model.parameters().entrySet()) {
            Tensor t = e.getValue();
            int[] s = t.shape();
            sum += RoundedWeights.rounds(e.getKey(), s.length)
                    ? Rounding.bytes(p.weights(), t.rows(), t.cols()) : storedBytes(e.getKey(), t);
        }
        return sum;
    }

    private String modelName() {
        if (weights != null && weights.origin().getFileName() != null) return weights.origin().getFileName().toString();
        return model.config().architecture().toString();
    }

    private static void requireMoe(ModelConfig cfg, SweepKind kind) {
        if (cfg.moeLayerCount() == 0) throw new IllegalArgumentException(kind.cliName() + " sweep: the model has no MoE layers");
    }

    private static String trim(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }

    private static void check(BooleanSupplier cancelled) {
        if (cancelled.getAsBoolean()) throw new CancellationException("cancelled");
    }
}
