package io.moescope.model;

import io.moescope.backend.ExpertWeights;
import io.moescope.backend.Tensor;
import java.util.ArrayList;
import java.util.List;

/** Where a component's backward adds its parameters' gradients: one gradient tensor per trainable weight. */
public interface WeightGradients {

    /** The gradient of a weight, to accumulate into; null for a null weight (an absent bias). */
    Tensor of(Tensor weight);

    /**
     * Backward of one decoder layer is done: the gradients of its weights are complete (a holder
     * that keeps only their norms reduces and frees them here).
     */
    default void layerDone() {}

    /** The gradients of a layer's experts, in the same layout as the weights. */
    default ExpertWeights of(ExpertWeights w) {
        List<Tensor> gate = new ArrayList<>(), up = new ArrayList<>(), down = new ArrayList<>();
        for (int e = 0; e < w.count(); e++) {
            gate.add(of(w.gate().get(e)));
            up.add(of(w.up().get(e)));
            down.add(of(w.down().get(e)));
        }
        return new ExpertWeights(gate, up, down);
    }
}
