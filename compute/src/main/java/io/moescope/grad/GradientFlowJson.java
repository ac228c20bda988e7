package io.moescope.grad;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** A {@link GradientFlowReport} as JSON, with snake_case keys as the other analyses use. */
public final class GradientFlowJson {
    private GradientFlowJson() {}

    private static final ObjectMapper JSON = new ObjectMapper();

    /** As `moescope gradients --json` prints it. */
    public static String text(GradientFlowReport r) {
        return of(r).toPrettyString();
    }

    static ObjectNode of(GradientFlowReport r) {
        ObjectNode root = JSON.createObjectNode();
        root.put("model_type", r.modelType());
        root.put("sequences", r.sequences());
        root.put("tokens", r.tokens());
        putNumber(root, "loss", r.loss());
        putNumber(root, "aux_loss", r.auxLoss());
        root.put("aux_loss_coef", r.auxLossCoef());
        root.put("learning_rate", r.learningRate());
        putNumber(root, "total_grad_norm", r.totalGradNorm());
        root.put("vanishing_below", GradientFlowReport.VANISHING);
        root.put("exploding_above", GradientFlowReport.EXPLODING);
        ArrayNode residual = root.putArray("residual_grad_norms");
        for (double v : r.residualGradNorms()) addNumber(residual, v);
        root.set("global", components(r.global()));
        ArrayNode layers = root.putArray("layers");
        for (LayerFlow l : r.layers()) {
            ObjectNode o = layers.addObject();
            o.put("layer", l.layer());
            o.put("moe", l.moe());
            putNumber(o, "grad_norm", l.gradNorm());
            putNumber(o, "input_residual_grad_norm", l.inputResidualGradNorm());
            putNumber(o, "output_residual_grad_norm", l.outputResidualGradNorm());
            o.put("vanishing", l.vanishing());
            o.put("exploding", l.exploding());
            if (l.expertTokens() != null) {
                ArrayNode t = o.putArray("expert_tokens");
                for (int n : l.expertTokens()) t.add(n);
            }
            o.set("components", components(l.components()));
        }
        return root;
    }

    private static ArrayNode components(java.util.List<ComponentFlow> list) {
        ArrayNode a = JSON.createArrayNode();
        for (ComponentFlow c : list) {
            ObjectNode o = a.addObject();
            o.put("name", c.name());
            putNumber(o, "grad_norm", c.gradNorm());
            putNumber(o, "weight_norm", c.weightNorm());
            putNumber(o, "update_ratio", c.updateRatio());
        }
        return a;
    }

    private static void putNumber(ObjectNode o, String name, double v) {
        // JSON has no NaN or Infinity: a figure that is not finite is null (and the flags say why).
        if (Double.isFinite(v)) o.put(name, v);
        else o.putNull(name);
    }

    private static void addNumber(ArrayNode a, double v) {
        if (Double.isFinite(v)) a.add(v);
        else a.addNull();
    }
}
