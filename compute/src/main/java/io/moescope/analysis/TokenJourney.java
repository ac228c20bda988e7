package io.moescope.analysis;

import io.moescope.model.MoeTrace;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.IntFunction;

/**
 * One token's way through the model, as steps a teacher can walk through: its embedding, for each
 * layer what it attended to and (in MoE layers) which experts the router chose and how much they
 * changed it, and finally what the model predicts next. Each step has a short explanation.
 */
public record TokenJourney(int token, List<Step> steps) {

    /** @param title short heading; @param explanation what the step means; @param facts the numbers of this token */
    public record Step(String title, String explanation, List<String> facts) {}

    /**
     * @param vocab display text of a vocabulary id (for the predictions)
     */
    public static TokenJourney of(Analysis a, int t, IntFunction<String> vocab) {
        if (t < 0 || t >= a.tokenCount()) throw new IllegalArgumentException("token " + t + " outside 0.." + (a.tokenCount() - 1));
        int D = a.forward().hiddenSize();
        List<Step> steps = new ArrayList<>();
        String name = "'" + a.tokens().get(t) + "'";
        steps.add(new Step("Embedding",
                "The token id picks one row of the embedding table: a vector of " + D + " numbers. This vector is the "
                        + "residual stream; every layer reads it and adds its result back.",
                List.of("token " + t + " " + name + ", id " + a.ids()[t],
                        String.format(Locale.ROOT, "embedding norm %.3f", norm(a.forward().hidden().get(0), t, D)))));
        for (int l = 0; l < a.layers(); l++) {
            steps.add(attention(a, l, t));
            var routing = a.routingOfLayer(l);
            if (routing.isPresent()) steps.add(router(a, l, t, routing.get(), D));
        }
        steps.add(output(a, t, vocab));
        return new TokenJourney(t, List.copyOf(steps));
    }

    private static Step attention(Analysis a, int l, int t) {
        int H = a.heads(l), T = a.tokenCount();
        float[] mean = new float[t + 1];
        for (int h = 0; h < H; h++) for (int k = 0; k <= t; k++) mean[k] += a.attention(l, h, t, k) / H;
        Integer[] order = new Integer[t + 1];
        for (int k = 0; k <= t; k++) order[k] = k;
        Arrays.sort(order, (x, y) -> Float.compare(mean[y], mean[x]));
        List<String> facts = new ArrayList<>();
        for (int i = 0; i < Math.min(3, order.length); i++) {
            facts.add(String.format(Locale.ROOT, "looks at token %d '%s' with %.1f%% (mean over %d heads)",
                    order[i], a.tokens().get(order[i]), 100 * mean[order[i]], H));
        }
        double e = 0;
        for (int h = 0; h < H; h++) e += Entropy.of(a.forward().attention().get(l), (h * T + t) * T, t + 1) / H;
        facts.add(String.format(Locale.ROOT, "attention entropy %.3f nats (%.3f would be even over all %d tokens it can see)",
                e, Math.log(t + 1), t + 1));
        return new Step("Layer " + l + ": attention",
                "Attention mixes in information from earlier tokens (never later ones: the model is causal). "
                        + "Each head decides where to look; the mean over heads is shown.", facts);
    }

    private static Step router(Analysis a, int l, int t, LayerRouting r, int D) {
        List<String> facts = new ArrayList<>();
        for (int j = 0; j < r.k(); j++) {
            int e = r.topkIndex()[t * r.k() + j];
            facts.add(String.format(Locale.ROOT, "expert %d, weight %.3f (router probability %.3f)",
                    e, r.topkWeight()[t * r.k() + j], r.probability(t, e)));
        }
        facts.add(String.format(Locale.ROOT, "router entropy %.3f nats (uniform: %.3f)", r.entropy()[t], Math.log(r.experts())));
        for (MoeTrace tr : a.forward().moe()) {
            if (tr.layer() == l) {
                facts.add(String.format(Locale.ROOT, "the experts' output has norm %.3f against %.3f for their input",
                        norm(tr.output(), t, D), norm(tr.routerInput(), t, D)));
            }
        }
        return new Step("Layer " + l + ": router and experts",
                "The router scores all " + r.experts() + " experts for this token and sends it to the best " + r.k()
                        + ". Only those experts run; their outputs are mixed with the weights shown and added to the residual stream.",
                facts);
    }

    private static Step output(Analysis a, int t, IntFunction<String> vocab) {
        int V = a.forward().vocabSize();
        float[] logits = a.forward().logits();
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (int v = 0; v < V; v++) max = Math.max(max, logits[t * V + v]);
        for (int v = 0; v < V; v++) sum += Math.exp(logits[t * V + v] - max);
        Integer[] order = new Integer[V];
        for (int v = 0; v < V; v++) order[v] = v;
        Arrays.sort(order, (x, y) -> Float.compare(logits[t * V + y], logits[t * V + x]));
        List<String> facts = new ArrayList<>();
        for (int i = 0; i < Math.min(5, V); i++) {
            int v = order[i];
            facts.add(String.format(Locale.ROOT, "next token '%s' (id %d): %.1f%%", vocab.apply(v), v,
                    100 * Math.exp(logits[t * V + v] - max) / sum));
        }
        if (t + 1 < a.tokenCount()) {
            int next = a.ids()[t + 1];
            facts.add(String.format(Locale.ROOT, "the actual next token '%s' got %.1f%%", a.tokens().get(t + 1),
                    100 * Math.exp(logits[t * V + next] - max) / sum));
        }
        return new Step("Output",
                "After the last layer and a final normalisation, the output projection scores every token of the "
                        + "vocabulary; a softmax turns the scores into the probabilities of what comes next.", facts);
    }

    private static double norm(float[] x, int row, int D) {
        double s = 0;
        for (int i = 0; i < D; i++) s += (double) x[row * D + i] * x[row * D + i];
        return Math.sqrt(s);
    }
}
