package io.moescope.report.lab;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.moescope.lab.Comparison;
import io.moescope.lab.Mechanism;
import io.moescope.lab.SweepPoint;
import io.moescope.lab.SweepResult;
import io.moescope.lab.VariantMetrics;
import java.util.List;

/** A sweep's or a comparison's numbers as JSON, for the report and for {@code moescope sweep --json}. */
public final class LabJson {
    private LabJson() {}

    private static final ObjectMapper JSON = new ObjectMapper();

    public static ObjectNode sweep(SweepResult r) {
        ObjectNode root = JSON.createObjectNode();
        root.put("what", r.kind().cliName());
        root.put("model", r.modelName());
        root.put("tokens", r.tokens());
        ArrayNode points = root.putArray("points");
        for (SweepPoint p : r.points()) {
            ObjectNode o = points.addObject();
            o.put("value", p.value());
            o.put("label", LabTables.valueLabel(r.kind(), p));
            o.set("mechanism", mechanism(p.mechanism()));
            o.set("metrics", metrics(p.metrics(), false));
        }
        return root;
    }

    public static ObjectNode comparison(Comparison c) {
        ObjectNode root = JSON.createObjectNode();
        root.set("mechanism", mechanism(c.mechanism()));
        root.set("metrics", metrics(c.metrics(), true));
        return root;
    }

    public static ObjectNode mechanism(Mechanism m) {
        ObjectNode o = JSON.createObjectNode();
        o.put("label", m.label());
        o.put("routing", m.routing().isNone() ? "model's own" : describe(m.routing()));
        o.put("attention", m.attention() == null ? "model's own" : m.attention().toString());
        o.put("weights", m.precision().weights().cliName());
        o.put("activations", m.precision().activations().cliName());
        return o;
    }

    /** Short, e.g. "k=1", "window 8", "int8", or several joined by " + ". */
    public static String label(Mechanism m) {
        List<String> parts = new java.util.ArrayList<>();
        if (!m.routing().isNone()) parts.add(describe(m.routing()));
        if (m.attention() != null) parts.add(m.attention().toString());
        if (m.precision().weights() != io.moescope.lab.NumberFormat.FP32) parts.add(m.precision().weights().cliName());
        if (m.precision().activations() != io.moescope.lab.NumberFormat.FP32) parts.add("act " + m.precision().activations().cliName());
        return parts.isEmpty() ? "baseline" : String.join(" + ", parts);
    }

    /** One line for a summary: what the variant changes. */
    public static String describe(Mechanism m) {
        List<String> parts = new java.util.ArrayList<>();
        if (!m.routing().isNone()) parts.add("routing " + describe(m.routing()));
        if (m.attention() != null) parts.add("attention " + m.attention());
        if (!m.precision().isNone()) parts.add("weights " + m.precision().weights().cliName() + ", activations " + m.precision().activations().cliName());
        return parts.isEmpty() ? "nothing changed" : String.join("; ", parts);
    }

    /** The routing change's fields that differ from "the model's own", e.g. "k=1, capacity 1.25". */
    public static String describe(io.moescope.lab.RoutingChange r) {
        io.moescope.lab.RoutingChange n = io.moescope.lab.RoutingChange.NONE;
        StringBuilder s = new StringBuilder();
        if (r.rule() != null) s.append(r.rule().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
        if (r.k() != n.k()) sep(s).append("k=").append(r.k());
        if (r.noiseStd() != n.noiseStd()) sep(s).append("noise σ=").append(r.noiseStd());
        if (r.temperature() != n.temperature()) sep(s).append("τ=").append(r.temperature());
        if (r.seed() != n.seed()) sep(s).append("seed ").append(r.seed());
        if (r.bias() != null) sep(s).append("bias");
        if (r.groups() != n.groups() || r.keptGroups() != n.keptGroups()) sep(s).append(r.keptGroups()).append(" of ").append(r.groups()).append(" groups");
        if (r.capacityFactor() != n.capacityFactor()) sep(s).append("capacity ").append(r.capacityFactor());
        if (!r.disabled().isEmpty()) sep(s).append("disabled ").append(new java.util.TreeSet<>(r.disabled()));
        if (!r.forced().isEmpty()) sep(s).append("forced ").append(new java.util.TreeMap<>(r.forced()));
        if (r.biasSteps() != n.biasSteps()) sep(s).append(r.biasSteps()).append(" bias steps at ").append(r.biasRate());
        return s.toString();
    }

    private static StringBuilder sep(StringBuilder s) {
        return s.isEmpty() ? s : s.append(", ");
    }

    private static ObjectNode metrics(VariantMetrics m, boolean perToken) {
        ObjectNode o = JSON.createObjectNode();
        put(o, "mean_kl", m.meanKl());
        put(o, "top1_agreement", m.top1Agreement());
        put(o, "baseline_perplexity", m.baselinePerplexity());
        put(o, "variant_perplexity", m.variantPerplexity());
        put(o, "mean_routing_flips", m.meanRoutingFlips());
        put(o, "mean_attention_mass_kept", m.meanAttentionMassKept());
        o.put("dropped_slots", m.totalDroppedSlots());
        o.put("baseline_ms", m.baselineNanos() / 1e6);
        o.put("variant_ms", m.variantNanos() / 1e6);
        o.put("baseline_bytes", m.baselineBytes());
        o.put("variant_bytes", m.variantBytes());
        ArrayNode layers = o.putArray("moe_layers");
        for (int l : m.moeLayers()) layers.add(l);
        o.set("routing_flips", doubles(m.routingFlips()));
        o.set("load_cv_before", doubles(m.loadCvBefore()));
        o.set("load_cv_after", doubles(m.loadCvAfter()));
        o.set("max_over_mean_before", doubles(m.maxOverMeanBefore()));
        o.set("max_over_mean_after", doubles(m.maxOverMeanAfter()));
        ArrayNode dropped = o.putArray("dropped_per_layer");
        for (long d : m.droppedSlots()) dropped.add(d);
        o.set("attention_mass_kept", doubles(m.attentionMassKept()));
        if (perToken) o.set("kl_per_token", doubles(m.klPerToken()));
        return o;
    }

    private static void put(ObjectNode o, String name, double v) {
        if (Double.isFinite(v)) o.put(name, v);
        else o.putNull(name);   // JSON has no NaN
    }

    private static ArrayNode doubles(double[] a) {
        ArrayNode n = JSON.createArrayNode();
        for (double v : a) {
            if (Double.isFinite(v)) n.add(v);
            else n.addNull();
        }
        return n;
    }

    public static String pretty(ObjectNode n) {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(n);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
