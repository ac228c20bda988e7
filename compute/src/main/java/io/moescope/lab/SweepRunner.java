package io.moescope.lab;

import io.moescope.analysis.ProgressListener;
import io.moescope.checkpoint.WeightSource;
import io.moescope.model.ForwardResult;
import io.moescope.model.ModelConfig;
import io.moescope.model.MoeModel;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/** Runs a sweep: each value's variant against the baseline, over every chunk of a text. */
final class SweepRunner {
    private final MoeModel model;
    private final WeightSource weights;

    SweepRunner(MoeModel model, WeightSource weights) {
        this.model = model;
        this.weights = weights;
    }

    /** See {@link LabService#sweep}. */
    SweepResult run(List<int[]> chunks, SweepKind kind, List<Double> values, ProgressListener progress, BooleanSupplier cancelled) {
        if (chunks.isEmpty()) throw new IllegalArgumentException("no text to sweep over");
        ModelConfig cfg = model.config();
        List<Double> settings = values == null || values.isEmpty() ? SweepCatalogue.defaultValues(kind, cfg) : values;
        List<Mechanism> mechanisms = new ArrayList<>();
        for (double v : settings) mechanisms.add(SweepCatalogue.mechanismFor(kind, v, cfg));   // refuses bad values before any work
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
            Cancellation.check(cancelled);
            progress.progress(done, total, "baseline, chunk " + (c + 1) + " of " + chunks.size());
            long t0 = System.nanoTime();
            ForwardResult r = model.forward(chunks.get(c), probes);
            base.add(keepBaseline ? r : null);
            baseNanos[c] = System.nanoTime() - t0;
            tokens += chunks.get(c).length;
            done++;
        }
        WeightBytes bytes = new WeightBytes(model, weights);
        List<SweepPoint> points = new ArrayList<>();
        for (int i = 0; i < settings.size(); i++) {
            Mechanism m = mechanisms.get(i);
            Cancellation.check(cancelled);
            progress.progress(done, total, m.label() + ": preparing");
            MetricsAccumulator acc = new MetricsAccumulator(cfg.numExperts());
            try (Variant v = Variant.prepare(model, weights, m, chunks, cancelled)) {
                for (int c = 0; c < chunks.size(); c++) {
                    Cancellation.check(cancelled);
                    progress.progress(done, total, m.label() + ", chunk " + (c + 1) + " of " + chunks.size());
                    long t0 = System.nanoTime();
                    ForwardResult r = v.model.forward(chunks.get(c), probes, v.options);
                    long dt = System.nanoTime() - t0;
                    ForwardResult b = base.get(c) != null ? base.get(c) : model.forward(chunks.get(c), probes);
                    acc.add(b, r, v.options, m.attention() != null, baseNanos[c], dt);
                    done++;
                }
                points.add(new SweepPoint(settings.get(i), m, acc.build(bytes.baseline(), bytes.variant(m.precision()), v.prepareNanos)));
            }
        }
        progress.progress(total, total, "done");
        return new SweepResult(kind, modelName(), tokens, List.copyOf(points));
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

    private String modelName() {
        if (weights != null && weights.origin().getFileName() != null) return weights.origin().getFileName().toString();
        return model.config().architecture().toString();
    }
}
