package io.moescope.model;

import io.moescope.tensor.CpuOps;
import io.moescope.tensor.FloatTensor;
import java.util.ArrayList;
import java.util.List;

/**
 * A decoder-only MoE language model of one of the supported architectures, in plain sight:
 * embeddings, a stack of pre-norm decoder layers, a final norm and the output projection.
 */
public final class MoeModel {
    private final ModelConfig config;
    private final FloatTensor embeddings;   // [V, D]
    private final List<DecoderLayer> layers;
    private final RmsNorm finalNorm;
    private final FloatTensor lmHead;       // [V, D]; the embeddings themselves when tied

    public MoeModel(ModelConfig config, FloatTensor embeddings, List<DecoderLayer> layers, RmsNorm finalNorm, FloatTensor lmHead) {
        this.config = config;
        this.embeddings = embeddings;
        this.layers = List.copyOf(layers);
        this.finalNorm = finalNorm;
        this.lmHead = lmHead;
    }

    public ModelConfig config() {
        return config;
    }

    public List<DecoderLayer> layers() {
        return layers;
    }

    public FloatTensor embeddings() {
        return embeddings;
    }

    public FloatTensor lmHead() {
        return lmHead;
    }

    public RmsNorm finalNorm() {
        return finalNorm;
    }

    /** Which intermediate results to keep; the rest are dropped as soon as they are used. */
    public record Probes(boolean attention, boolean hidden) {
        public static final Probes ALL = new Probes(true, true);
        public static final Probes NONE = new Probes(false, false);
    }

    /**
     * Runs the model over one sequence.
     *
     * @throws IllegalArgumentException if ids is empty or holds an id outside the vocabulary
     */
    public ForwardResult forward(int[] ids, Probes probes) {
        int T = ids.length, D = config.hiddenSize(), V = config.vocabSize();
        if (T == 0) throw new IllegalArgumentException("empty input: at least one token id is needed");
        for (int i = 0; i < T; i++) {
            if (ids[i] < 0 || ids[i] >= V) {
                throw new IllegalArgumentException("token id " + ids[i] + " at position " + i + " is outside the vocabulary (0.." + (V - 1) + ")");
            }
        }
        float[] h = new float[T * D];
        for (int t = 0; t < T; t++) {
            embeddings.copyRow(ids[t], h, t * D);
        }
        List<float[]> hidden = new ArrayList<>();
        List<float[]> attention = new ArrayList<>();
        List<Integer> heads = new ArrayList<>();
        List<MoeTrace> traces = new ArrayList<>();
        if (probes.hidden()) hidden.add(h.clone());

        for (DecoderLayer layer : layers) {
            int H = layer.attention().heads();
            float[] probs = probes.attention() ? new float[H * T * T] : null;
            float[] a = layer.attention().forward(layer.inputNorm().apply(h), T, probs);
            CpuOps.addInPlace(a, h);
            h = a;
            attention.add(probs);
            heads.add(H);

            float[] normed = layer.postAttentionNorm().apply(h);
            float[] ffn;
            if (layer.isMoe()) {
                MoeBlock.Output out = layer.moe().forward(normed, T, D);
                ffn = out.hidden();
                traces.add(new MoeTrace(layer.index(), normed, out.decision(), ffn));
            } else {
                ffn = layer.dense().apply(normed, T);
            }
            CpuOps.addInPlace(h, ffn);   // ffn itself stays as the trace recorded it
            if (probes.hidden() && layer.index() < layers.size() - 1) hidden.add(h.clone());
        }
        h = finalNorm.apply(h);
        if (probes.hidden()) hidden.add(h);
        float[] logits = CpuOps.linear(h, T, lmHead, null);
        return new ForwardResult(ids.clone(), V, D, logits, crossEntropy(logits, ids, V), auxLoss(traces),
                hidden, attention, heads, traces);
    }

    /** Mean next-token cross-entropy: position t predicts ids[t + 1]. */
    static double crossEntropy(float[] logits, int[] ids, int V) {
        int T = ids.length;
        if (T < 2) return Double.NaN;
        double total = 0;
        for (int t = 0; t < T - 1; t++) {
            int o = t * V;
            double max = Double.NEGATIVE_INFINITY;
            for (int v = 0; v < V; v++) max = Math.max(max, logits[o + v]);
            double sum = 0;
            for (int v = 0; v < V; v++) sum += Math.exp(logits[o + v] - max);
            total += Math.log(sum) + max - logits[o + ids[t + 1]];
        }
        return total / (T - 1);
    }

    /**
     * The Switch-style load-balancing loss transformers computes for Mixtral, Qwen-MoE and OLMoE:
     * over all MoE layers' tokens, E * sum_e (fraction of top-k slots going to e) * (mean router
     * probability of e), with the top-k taken afresh from the softmax of the logits.
     */
    private double auxLoss(List<MoeTrace> traces) {
        if (traces.isEmpty() || config.architecture().usesMla()) return Double.NaN;
        int E = config.numExperts(), k = config.topK();
        double[][] slotCounts = new double[k][E];
        double[] probSum = new double[E];
        long rows = 0;
        float[] p = new float[E];
        for (MoeTrace tr : traces) {
            RouterDecision d = tr.decision();
            for (int t = 0; t < d.tokens(); t++) {
                CpuOps.softmax(d.logits(), t * E, E, p, 0);
                int[] top = Router.topK(p, k);
                for (int j = 0; j < k; j++) slotCounts[j][top[j]]++;
                for (int e = 0; e < E; e++) probSum[e] += p[e];
                rows++;
            }
        }
        double loss = 0;
        for (int j = 0; j < k; j++) {
            for (int e = 0; e < E; e++) loss += (slotCounts[j][e] / rows) * (probSum[e] / rows);
        }
        return loss * E;
    }
}
