package io.moescope.grad;

import io.moescope.backend.Backend;
import io.moescope.backend.Tensor;
import io.moescope.model.MoeModel;
import io.moescope.model.WeightGradients;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Gradients reduced to what the gradient-flow views need, each weight's sum of squares, as soon as
 * they are complete: a gradient tensor is made when backward first adds into it and reduced and
 * freed when its layer's backward is done ({@link #layerDone()}), so a 7 B model never holds more
 * than one layer's gradients. The model-wide weights (embeddings, output head, final norm) are
 * reduced at the end, since a tied head and embedding add into one gradient from both ends.
 * Exact for one sequence; the gradient of a mean over several needs every gradient at once
 * ({@link Gradients}).
 */
final class GradientNorms implements WeightGradients {
    private final Backend backend;
    private final Set<Tensor> parameters = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    private final Set<Tensor> modelWide = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    private final Map<Tensor, Tensor> live = new IdentityHashMap<>();
    private final Map<Tensor, Double> sumOfSquares = new IdentityHashMap<>();

    GradientNorms(MoeModel model) {
        this.backend = model.backend();
        parameters.addAll(model.parameters().values());
        modelWide.add(model.embeddings());
        modelWide.add(model.lmHead());
        modelWide.add(model.finalNorm().weight());
    }

    @Override
    public Tensor of(Tensor weight) {
        if (weight == null) return null;
        if (!parameters.contains(weight)) throw new IllegalArgumentException("not a trainable parameter of this model: " + Tensor.describe(weight.shape()));
        return live.computeIfAbsent(weight, w -> backend.zeros(w.shape()));
    }

    /** Reduces and frees the gradients of the layer just done. */
    @Override
    public void layerDone() {
        settle(false);
    }

    /** Reduces and frees every gradient still held; the sums are final after this. */
    void finish() {
        settle(true);
    }

    private void settle(boolean all) {
        var it = live.entrySet().iterator();
        while (it.hasNext()) {
            var e = it.next();
            if (!all && modelWide.contains(e.getKey())) continue;
            sumOfSquares.merge(e.getKey(), backend.sumOfSquares(e.getValue()), Double::sum);
            e.getValue().close();
            it.remove();
        }
    }

    /** The squared norm of a weight's gradient (0 for a weight backward never reached, such as an unrouted expert's). */
    double sumOfSquares(Tensor weight) {
        return sumOfSquares.getOrDefault(weight, 0.0);
    }

    double globalNorm() {
        double s = 0;
        for (double v : sumOfSquares.values()) s += v;
        return Math.sqrt(s);
    }
}
