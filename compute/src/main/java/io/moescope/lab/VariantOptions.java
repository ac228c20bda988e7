package io.moescope.lab;

import io.moescope.backend.AttentionPattern;
import io.moescope.backend.Backend;
import io.moescope.backend.Routing;
import io.moescope.backend.Tensor;
import io.moescope.model.ForwardOptions;
import java.util.HashMap;
import java.util.Map;

/**
 * A mechanism's attention pattern and routing as the model's forward hook, for one forward pass
 * at a time; it keeps each MoE layer's last decision (dropped slots included) for the metrics.
 */
final class VariantOptions implements ForwardOptions {
    private final AttentionPattern pattern;
    private final RoutingVariant routing;
    /** Per decoder layer, the bias added to the choice (the change's bias plus any learned adjustment). */
    private final Map<Integer, float[]> extraBias = new HashMap<>();
    private final float[] changeBias;
    private final Map<Integer, RoutingVariant.Decision> decisions = new HashMap<>();

    VariantOptions(AttentionPattern pattern, RoutingVariant routing, float[] changeBias) {
        this.pattern = pattern;
        this.routing = routing;
        this.changeBias = changeBias;
    }

    @Override
    public AttentionPattern attentionPattern(int layer, int tokens) {
        return pattern;
    }

    @Override
    public Routing route(Backend b, int layer, Tensor correctionBias, Tensor logits) {
        if (routing == null) return null;
        float[] l = b.download(logits);
        int T = logits.dim(0);
        float[] modelBias = correctionBias == null ? null : b.download(correctionBias);
        RoutingVariant.Decision d = routing.decide(l, T, modelBias, bias(layer), layer);
        decisions.put(layer, d);
        return new Routing(routing.spec(), b.uploadInts(d.index(), T, d.k()), b.upload(d.weight(), T, d.k()));
    }

    /** The bias the choice of this layer gets, created (from the change's bias or zeros) on first use. */
    float[] bias(int layer) {
        if (changeBias == null && !extraBias.containsKey(layer)) return null;
        return extraBias.computeIfAbsent(layer, l -> changeBias.clone());
    }

    /** Starts a learned bias for the layer (zeros, or the change's bias) and returns it for updating in place. */
    float[] learnedBias(int layer, int experts) {
        return extraBias.computeIfAbsent(layer, l -> changeBias == null ? new float[experts] : changeBias.clone());
    }

    /** The decision the last forward pass made in decoder layer {@code layer}, or null when it was not routed here. */
    RoutingVariant.Decision decision(int layer) {
        return decisions.get(layer);
    }

    boolean changesRouting() {
        return routing != null;
    }
}
