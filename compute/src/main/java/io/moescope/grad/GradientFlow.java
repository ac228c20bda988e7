package io.moescope.grad;

import io.moescope.backend.Backend;
import io.moescope.backend.Tensor;
import io.moescope.model.MoeModel;
import io.moescope.model.WeightGradients;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Gradient-flow analysis: backpropagates the loss of one or more sequences and reports where the
 * gradient goes (see {@link GradientFlowReport}). With several sequences, gradients are those of the
 * mean loss, and residual norms and losses are means over the sequences; expert token counts are totals.
 */
public final class GradientFlow {
    private GradientFlow() {}

    /** One sequence, cross-entropy only. */
    public static GradientFlowReport analyze(MoeModel model, int[] ids, double learningRate) {
        return analyze(model, List.of(ids), learningRate, 0);
    }

    /**
     * @param sequences   token id sequences, each at least two tokens long to have a loss
     * @param auxLossCoef weight of the load-balancing loss in the objective (0: cross-entropy only)
     */
    public static GradientFlowReport analyze(MoeModel model, List<int[]> sequences, double learningRate, double auxLossCoef) {
        if (sequences.isEmpty()) throw new IllegalArgumentException("no sequences to analyse");
        int N = sequences.size(), L = model.layers().size();
        // One sequence: each gradient reduced to its norm as soon as its layer is done, so a 7 B
        // model never holds them all. The mean over several sequences needs them all at once.
        GradientNorms norms = N == 1 ? new GradientNorms(model) : null;
        Gradients full = N == 1 ? null : Gradients.zeros(model);
        WeightGradients g = N == 1 ? norms : full;
        Backprop.Options options = new Backprop.Options(1f / N, auxLossCoef / N);
        double loss = 0, aux = 0;
        long tokens = 0;
        double[] residual = new double[L + 1];
        int[][] expertTokens = new int[L][];
        for (int[] ids : sequences) {
            Backprop.Result r = Backprop.run(model, ids, g, options);
            tokens += ids.length;
            loss += r.loss() / N;
            aux += r.auxLoss() / N;
            // Each run's residual gradient is already scaled by 1/N, so their norms sum to the mean norm.
            for (int i = 0; i <= L; i++) residual[i] += r.residualGradNorms()[i];
            for (int l = 0; l < L; l++) {
                if (r.expertTokens()[l] == null) continue;
                if (expertTokens[l] == null) expertTokens[l] = new int[r.expertTokens()[l].length];
                for (int e = 0; e < expertTokens[l].length; e++) expertTokens[l][e] += r.expertTokens()[l][e];
            }
        }
        ToDoubleFunction<Tensor> gradSumOfSquares;
        double globalNorm;
        if (norms != null) {
            norms.finish();
            gradSumOfSquares = norms::sumOfSquares;
            globalNorm = norms.globalNorm();
        } else {
            gradSumOfSquares = w -> model.backend().sumOfSquares(full.of(w));
            globalNorm = full.globalNorm();
        }
        return report(model, gradSumOfSquares, globalNorm, N, tokens, loss, aux, auxLossCoef, learningRate, residual, expertTokens);
    }

    private static GradientFlowReport report(MoeModel model, ToDoubleFunction<Tensor> gradSumOfSquares, double globalNorm, int N, long tokens, double loss, double aux,
                                             double auxLossCoef, double lr, double[] residual, int[][] expertTokens) {
        Backend b = model.backend();
        Map<Tensor, String> names = new IdentityHashMap<>();
        model.parameters().forEach((name, w) -> names.put(w, name));
        List<ComponentFlow> global = new ArrayList<>();
        List<List<ComponentFlow>> perLayer = new ArrayList<>();
        for (int l = 0; l < model.layers().size(); l++) perLayer.add(new ArrayList<>());
        for (ModelComponents.Component c : ModelComponents.of(model)) {
            double gs = 0, ws = 0;
            List<String> tensors = new ArrayList<>();
            for (Tensor w : c.weights()) {
                gs += gradSumOfSquares.applyAsDouble(w);
                ws += b.sumOfSquares(w);
                tensors.add(names.get(w));
            }
            double gn = Math.sqrt(gs), wn = Math.sqrt(ws);
            ComponentFlow f = new ComponentFlow(c.name(), tensors, gn, wn, lr * gn / wn);
            (c.layer() < 0 ? global : perLayer.get(c.layer())).add(f);
        }
        List<LayerFlow> layers = new ArrayList<>();
        for (int l = 0; l < perLayer.size(); l++) {
            double s = 0;
            for (ComponentFlow c : perLayer.get(l)) s += c.gradNorm() * c.gradNorm();
            double norm = Math.sqrt(s);
            layers.add(new LayerFlow(l, model.layers().get(l).isMoe(), norm, residual[l], residual[l + 1], perLayer.get(l),
                    expertTokens[l], GradientFlowReport.vanishing(norm), GradientFlowReport.exploding(norm)));
        }
        return new GradientFlowReport(model.config().architecture().modelType(), N, tokens, loss, aux, auxLossCoef, lr,
                globalNorm, global, layers, residual);
    }
}
