package io.moescope.analysis;

import io.moescope.model.ForwardOptions;
import io.moescope.model.ForwardResult;
import io.moescope.model.ModelConfig;
import io.moescope.model.MoeModel;
import io.moescope.model.MoeTrace;
import io.moescope.model.RouterDecision;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a prompt through a model with every probe on and derives what the workbench shows. The
 * command line and the workbench both call this, so they always agree.
 */
public final class AnalysisService {
    private AnalysisService() {}

    /** Token labels are the ids; use {@link #analyse(MoeModel, int[], List)} to pass readable ones. */
    public static Analysis analyse(MoeModel model, int[] ids) {
        List<String> labels = new ArrayList<>();
        for (int id : ids) labels.add(Integer.toString(id));
        return analyse(model, ids, labels);
    }

    /**
     * @param tokens display text of each id
     * @throws IllegalArgumentException if ids is empty or holds an id outside the vocabulary
     */
    public static Analysis analyse(MoeModel model, int[] ids, List<String> tokens) {
        return analyse(model, ids, tokens, ForwardOptions.NONE);
    }

    /** As above with changed mechanisms (the mechanism lab's variants). */
    public static Analysis analyse(MoeModel model, int[] ids, List<String> tokens, ForwardOptions options) {
        if (tokens.size() != ids.length) throw new IllegalArgumentException(tokens.size() + " labels for " + ids.length + " tokens");
        long start = System.nanoTime();
        ForwardResult r = model.forward(ids, MoeModel.Probes.ALL, options);
        long forwardDone = System.nanoTime();
        return derive(model.config(), r, List.copyOf(tokens), start, forwardDone);
    }

    static Analysis derive(ModelConfig cfg, ForwardResult r, List<String> tokens, long start, long forwardDone) {
        List<LayerRouting> routing = new ArrayList<>();
        for (MoeTrace tr : r.moe()) routing.add(routing(cfg, tr));
        ExpertLoad load = load(cfg, routing);
        List<ExpertFlow> flows = flows(routing);
        AttentionStats attention = attentionStats(r);
        return new Analysis(cfg, r, tokens, load, List.copyOf(routing), List.copyOf(flows), attention,
                forwardDone - start, System.nanoTime() - start);
    }

    static LayerRouting routing(ModelConfig cfg, MoeTrace tr) {
        RouterDecision d = tr.decision();
        int T = d.tokens(), E = d.experts(), k = d.k();
        float[] p = RouterProbabilities.of(cfg.routerKind(), d.logits(), T, E);
        float[] entropy = new float[T];
        for (int t = 0; t < T; t++) entropy[t] = (float) Entropy.of(p, t * E, E);
        long[][] co = new long[E][E];
        for (int t = 0; t < T; t++) {
            for (int a = 0; a < k; a++) {
                int ea = d.topkIndex()[t * k + a];
                for (int b = 0; b < k; b++) co[ea][d.topkIndex()[t * k + b]]++;
            }
        }
        return new LayerRouting(tr.layer(), T, E, k, p, entropy, d.topkIndex().clone(), d.topkWeight().clone(), co);
    }

    /**
     * Counts chosen experts, and the Switch-style loss E * sum_e f_e * P_e where f_e is the
     * fraction of top-k slots going to e and P_e its mean router probability. For softmax routers
     * this is the value transformers' load_balancing_loss_func returns; for DeepSeek's routers it
     * is computed on the choices they really make.
     */
    static ExpertLoad load(ModelConfig cfg, List<LayerRouting> routing) {
        // k as the routing really used it (a lab variant may change it).
        int E = cfg.numExperts(), n = routing.size(), k = n == 0 ? cfg.topK() : routing.getFirst().k();
        int[] layers = new int[n];
        long[][] counts = new long[n][E];
        double[][] meanProb = new double[n][E];
        double[] auxPerLayer = new double[n];
        long tokens = n == 0 ? 0 : routing.getFirst().tokens();
        double[] allCounts = new double[E], allProb = new double[E];
        for (int i = 0; i < n; i++) {
            LayerRouting r = routing.get(i);
            layers[i] = r.layer();
            for (int idx : r.topkIndex()) counts[i][idx]++;
            for (int t = 0; t < r.tokens(); t++) {
                for (int e = 0; e < E; e++) meanProb[i][e] += r.probability(t, e);
            }
            double aux = 0;
            for (int e = 0; e < E; e++) {
                allCounts[e] += counts[i][e];
                allProb[e] += meanProb[i][e];
                meanProb[i][e] /= Math.max(1, r.tokens());
                aux += ((double) counts[i][e] / Math.max(1, r.tokens())) * meanProb[i][e];
            }
            auxPerLayer[i] = aux * E;
        }
        double rows = (double) tokens * n, aux = 0;
        for (int e = 0; e < E && rows > 0; e++) aux += (allCounts[e] / rows) * (allProb[e] / rows);
        return new ExpertLoad(E, k, layers, tokens, counts, meanProb, rows > 0 ? aux * E : Double.NaN, auxPerLayer);
    }

    static List<ExpertFlow> flows(List<LayerRouting> routing) {
        List<ExpertFlow> out = new ArrayList<>();
        for (int i = 0; i + 1 < routing.size(); i++) {
            LayerRouting a = routing.get(i), b = routing.get(i + 1);
            long[][] c = new long[a.experts()][b.experts()];
            for (int t = 0; t < a.tokens(); t++) c[a.top1(t)][b.top1(t)]++;
            out.add(new ExpertFlow(a.layer(), b.layer(), c));
        }
        return out;
    }

    static AttentionStats attentionStats(ForwardResult r) {
        int T = r.tokens(), L = r.attention().size();
        double[][] entropy = new double[L][];
        for (int l = 0; l < L; l++) {
            int H = r.attentionHeads().get(l);
            float[] a = r.attention().get(l);
            entropy[l] = new double[H];
            for (int h = 0; h < H; h++) {
                if (a == null) {
                    entropy[l][h] = Double.NaN;
                    continue;
                }
                double sum = 0;
                // Causal rows end at the diagonal; what lies beyond is zero and adds nothing.
                for (int q = 0; q < T; q++) sum += Entropy.of(a, (h * T + q) * T, q + 1);
                entropy[l][h] = sum / T;
            }
        }
        return new AttentionStats(entropy);
    }
}
