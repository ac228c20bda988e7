package io.moescope.analysis;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The derived figures of an analysis as JSON, for the report and for scripts: tokens, losses,
 * expert load and balance, routing per token, co-activation, flows and attention entropy. The raw
 * attention maps and hidden states are left out (they are what the inspect command is for).
 */
public final class AnalysisJson {
    private AnalysisJson() {}

    /** Capacity factors whose drops the JSON lists. */
    public static final double[] CAPACITY_FACTORS = {1.0, 1.25, 1.5, 2.0};

    private static final ObjectMapper JSON = new ObjectMapper();

    public static ObjectNode of(Analysis a) {
        ObjectNode root = JSON.createObjectNode();
        root.put("model_type", a.config().architecture().modelType());
        root.set("ids", ints(a.ids()));
        ArrayNode tokens = root.putArray("tokens");
        a.tokens().forEach(tokens::add);
        putNumber(root, "loss", a.forward().loss());
        root.put("forward_ms", a.forwardNanos() / 1e6);
        root.put("analysis_ms", a.totalNanos() / 1e6);
        root.set("load", load(a.load()));
        ArrayNode routing = root.putArray("routing");
        for (LayerRouting r : a.routing()) routing.add(routing(r));
        ArrayNode flows = root.putArray("flows");
        for (ExpertFlow f : a.flows()) {
            ObjectNode o = flows.addObject();
            o.put("from_layer", f.fromLayer());
            o.put("to_layer", f.toLayer());
            o.set("counts", matrix(f.counts()));
        }
        ArrayNode att = root.putArray("attention_entropy");
        for (double[] layer : a.attention().entropy()) att.add(doubles(layer));
        return root;
    }

    public static String toPrettyString(Analysis a) {
        return of(a).toPrettyString();
    }

    static ObjectNode load(ExpertLoad l) {
        ObjectNode o = JSON.createObjectNode();
        o.set("layers", ints(l.layers()));
        o.put("tokens", l.tokens());
        o.put("experts", l.experts());
        o.put("top_k", l.topK());
        o.set("counts", matrix(l.counts()));
        ArrayNode cv = o.putArray("coefficient_of_variation"), mm = o.putArray("max_over_mean");
        for (int i = 0; i < l.moeLayers(); i++) {
            cv.add(l.coefficientOfVariation(i));
            mm.add(l.maxOverMean(i));
        }
        putNumber(o, "aux_loss", l.auxLoss());
        o.set("aux_loss_per_layer", doubles(l.auxLossPerLayer()));
        ObjectNode drops = o.putObject("dropped_at_capacity_factor");
        for (double cf : CAPACITY_FACTORS) drops.put(Double.toString(cf), l.dropped(cf));
        return o;
    }

    private static ObjectNode routing(LayerRouting r) {
        ObjectNode o = JSON.createObjectNode();
        o.put("layer", r.layer());
        o.set("topk_index", ints(r.topkIndex()));
        o.set("topk_weight", floats(r.topkWeight()));
        o.set("entropy", floats(r.entropy()));
        o.set("co_activation", matrix(r.coActivation()));
        return o;
    }

    private static void putNumber(ObjectNode o, String name, double v) {
        // JSON has no NaN; an undefined figure is null.
        if (Double.isFinite(v)) o.put(name, v);
        else o.putNull(name);
    }

    private static ArrayNode ints(int[] v) {
        ArrayNode a = JSON.createArrayNode();
        for (int x : v) a.add(x);
        return a;
    }

    private static ArrayNode floats(float[] v) {
        ArrayNode a = JSON.createArrayNode();
        for (float x : v) a.add(x);
        return a;
    }

    private static ArrayNode doubles(double[] v) {
        ArrayNode a = JSON.createArrayNode();
        for (double x : v) {
            if (Double.isFinite(x)) a.add(x);
            else a.addNull();
        }
        return a;
    }

    private static ArrayNode matrix(long[][] m) {
        ArrayNode a = JSON.createArrayNode();
        for (long[] row : m) {
            ArrayNode r = a.addArray();
            for (long x : row) r.add(x);
        }
        return a;
    }
}
