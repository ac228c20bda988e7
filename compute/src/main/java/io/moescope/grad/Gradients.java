package io.moescope.grad;

import io.moescope.backend.Backend;
import io.moescope.backend.Tensor;
import io.moescope.model.MoeModel;
import io.moescope.model.WeightGradients;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * One gradient tensor per trainable parameter, resident on the model's backend, shaped like the
 * weight and named by its checkpoint name. Backward code finds a gradient by the weight it belongs
 * to ({@link #of(Tensor)}), so it never deals with names; a weight used twice (a tied output head)
 * has one gradient that both uses add into.
 */
public final class Gradients implements WeightGradients {
    private final Backend backend;
    private final Map<String, Tensor> byName = new LinkedHashMap<>();
    private final Map<String, Tensor> weightsByName = new LinkedHashMap<>();
    private final Map<Tensor, Tensor> byWeight = new IdentityHashMap<>();

    private Gradients(Backend backend) {
        this.backend = backend;
    }

    /** Zero gradients for every trainable parameter of the model. */
    public static Gradients zeros(MoeModel model) {
        if (model.parameters().isEmpty()) {
            throw new IllegalArgumentException("the model has no named parameters: load it with ModelLoader to take gradients");
        }
        Gradients g = new Gradients(model.backend());
        for (Map.Entry<String, Tensor> e : model.parameters().entrySet()) {
            Tensor grad = g.backend.zeros(e.getValue().shape());
            g.byName.put(e.getKey(), grad);
            g.weightsByName.put(e.getKey(), e.getValue());
            g.byWeight.put(e.getValue(), grad);
        }
        return g;
    }

    @Override
    public Tensor of(Tensor weight) {
        if (weight == null) return null;
        Tensor g = byWeight.get(weight);
        if (g == null) throw new IllegalArgumentException("not a trainable parameter of this model: " + Tensor.describe(weight.shape()));
        return g;
    }

    /** Checkpoint names, in the model's load order. */
    public Set<String> names() {
        return Collections.unmodifiableSet(byName.keySet());
    }

    /** The gradient of the named parameter, or null if there is none by that name. */
    public Tensor get(String name) {
        return byName.get(name);
    }

    /** The weight the named gradient belongs to. */
    public Tensor weight(String name) {
        return weightsByName.get(name);
    }

    /** The named gradient's values, copied to the host. */
    public float[] download(String name) {
        Tensor g = byName.get(name);
        if (g == null) throw new IllegalArgumentException("no gradient named " + name);
        return backend.download(g);
    }

    /** Sum of squares of the named gradient, in double. */
    public double sumOfSquares(String name) {
        return backend.sumOfSquares(byName.get(name));
    }

    /** Back to zero, to start accumulating the next batch. */
    public void zero() {
        for (Tensor g : byName.values()) backend.fill(g, 0f);
    }

    /** Multiplies every gradient by s (averaging a sum over sequences, clipping). */
    public void scale(float s) {
        for (Tensor g : byName.values()) backend.scale(g, s);
    }

    /** The L2 norm over all gradients together. */
    public double globalNorm() {
        double s = 0;
        for (Tensor g : byName.values()) s += backend.sumOfSquares(g);
        return Math.sqrt(s);
    }
}
