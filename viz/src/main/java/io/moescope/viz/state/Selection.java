package io.moescope.viz.state;

import javafx.beans.property.IntegerProperty;
import javafx.beans.property.SimpleIntegerProperty;

/**
 * What the user has picked, shared by every view so that picking a token, layer, head or expert in
 * one highlights it in the others. -1 means nothing picked; head -1 means the mean over heads.
 */
public final class Selection {
    public final IntegerProperty token = new SimpleIntegerProperty(this, "token", -1);
    public final IntegerProperty layer = new SimpleIntegerProperty(this, "layer", 0);
    public final IntegerProperty head = new SimpleIntegerProperty(this, "head", -1);
    public final IntegerProperty expert = new SimpleIntegerProperty(this, "expert", -1);

    /** Keeps the picks inside a new analysis' ranges (a shorter prompt, a model with fewer layers). */
    public void clamp(int tokens, int layers, int experts) {
        if (token.get() >= tokens) token.set(tokens - 1);
        if (layer.get() >= layers) layer.set(Math.max(0, layers - 1));
        if (expert.get() >= experts) expert.set(-1);
    }
}
