package io.moescope.lab;

import io.moescope.backend.AttentionPattern;

/**
 * One variant of a model's mechanisms, measured against the unchanged model.
 *
 * @param label     short name for tables and charts, e.g. "k=1" or "int4-g32"
 * @param routing   the routing change (RoutingChange.NONE for the model's own)
 * @param attention the attention pattern for every layer, or null for the model's own
 * @param precision the rounding (Precision.NONE for none)
 */
public record Mechanism(String label, RoutingChange routing, AttentionPattern attention, Precision precision) {
    public static final Mechanism BASELINE = new Mechanism("baseline", RoutingChange.NONE, null, Precision.NONE);

    public Mechanism {
        if (routing == null) routing = RoutingChange.NONE;
        if (precision == null) precision = Precision.NONE;
    }

    public boolean isBaseline() {
        return routing.isNone() && attention == null && precision.isNone();
    }

    public Mechanism withLabel(String l) {
        return new Mechanism(l, routing, attention, precision);
    }
}
