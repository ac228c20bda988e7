package io.moescope.lab;

import io.moescope.analysis.LoadedModel;
import io.moescope.analysis.ProgressListener;
import io.moescope.checkpoint.WeightSource;
import io.moescope.model.ModelConfig;
import io.moescope.model.MoeModel;
import java.util.List;
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

    public static LabService of(LoadedModel m) {
        return new LabService(m.model(), m.checkpoint());
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
        throw new UnsupportedOperationException("lab: compare not implemented yet");
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
        throw new UnsupportedOperationException("lab: sweep not implemented yet");
    }

    /** The values a sweep tries by default for this model (k = 1..E, windows 4..T, ...). */
    public List<Double> defaultValues(SweepKind kind) {
        throw new UnsupportedOperationException("lab: defaultValues not implemented yet");
    }

    /** The variant one sweep value stands for. */
    public static Mechanism mechanismFor(SweepKind kind, double value, ModelConfig cfg) {
        throw new UnsupportedOperationException("lab: mechanismFor not implemented yet");
    }

    /** Splits a long text's ids into full chunks of {@code chunkTokens} (a shorter text is one chunk). */
    public static List<int[]> chunks(int[] ids, int chunkTokens) {
        throw new UnsupportedOperationException("lab: chunks not implemented yet");
    }
}
