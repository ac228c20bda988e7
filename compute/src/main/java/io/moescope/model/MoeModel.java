package io.moescope.model;

import io.moescope.backend.AttentionOutput;
import io.moescope.backend.Backend;
import io.moescope.backend.RoutingRule;
import io.moescope.backend.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A decoder-only MoE language model of one of the supported architectures, in plain sight:
 * embeddings, a stack of pre-norm decoder layers, a final norm and the output projection.
 * Weights are resident on {@link #backend()}; results come back to the host once, at the end.
 */
public final class MoeModel {
    private final ModelConfig config;
    private final Backend backend;
    private final Tensor embeddings;   // [V, D]
    private final List<DecoderLayer> layers;
    private final RmsNorm finalNorm;
    private final Tensor lmHead;       // [V, D]; the embeddings themselves when tied
    private final Map<String, Tensor> parameters;

    /** A model without parameter names: it runs, but gradients (named by checkpoint name) need the other constructor. */
    public MoeModel(ModelConfig config, Backend backend, Tensor embeddings, List<DecoderLayer> layers,
                    RmsNorm finalNorm, Tensor lmHead) {
        this(config, backend, embeddings, layers, finalNorm, lmHead, Map.of());
    }

    /**
     * @param parameters every trainable weight by checkpoint name; experts that the checkpoint
     *                   stores fused are listed one by one under the per-expert names
     */
    public MoeModel(ModelConfig config, Backend backend, Tensor embeddings, List<DecoderLayer> layers,
                    RmsNorm finalNorm, Tensor lmHead, Map<String, Tensor> parameters) {
        this.config = config;
        this.parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
        this.backend = backend;
        this.embeddings = embeddings;
        this.layers = List.copyOf(layers);
        this.finalNorm = finalNorm;
        this.lmHead = lmHead;
    }

    public ModelConfig config() {
        return config;
    }

    public Backend backend() {
        return backend;
    }

    public List<DecoderLayer> layers() {
        return layers;
    }

    public Tensor embeddings() {
        return embeddings;
    }

    public Tensor lmHead() {
        return lmHead;
    }

    public RmsNorm finalNorm() {
        return finalNorm;
    }

    /** Trainable weights by checkpoint name, in load order; a tied output head appears once, as the embeddings. */
    public Map<String, Tensor> parameters() {
        return parameters;
    }

    /** Which intermediate results to bring back; the rest are dropped as soon as they are used. */
    public record Probes(boolean attention, boolean hidden, boolean routing) {
        public static final Probes ALL = new Probes(true, true, true);
        public static final Probes NONE = new Probes(false, false, false);
    }

    /**
     * Runs the model over one sequence.
     *
     * @throws IllegalArgumentException if ids is empty or holds an id outside the vocabulary
     */
    public ForwardResult forward(int[] ids, Probes probes) {
        return forward(ids, probes, ForwardOptions.NONE);
    }

    /**
     * Runs the model over one sequence with changed mechanisms (attention patterns, routing).
     *
     * @throws IllegalArgumentException if ids is empty or holds an id outside the vocabulary
     */
    public ForwardResult forward(int[] ids, Probes probes, ForwardOptions options) {
        Pass p = run(ids, probes, options);
        try {
            return collect(ids, p);
        } finally {
            p.close();
        }
    }

    /**
     * The mean next-token cross-entropy alone (NaN for one token): the pass {@link #forward} makes
     * without probes, but only the loss comes back to the host, not the [T, V] logits.
     *
     * @throws IllegalArgumentException as {@link #forward}
     */
    public double loss(int[] ids) {
        try (Pass p = run(ids, Probes.NONE, ForwardOptions.NONE)) {
            return backend.download(p.loss())[0];
        }
    }

    /** What one pass leaves on the device: the logits, the loss and whatever the probes kept. */
    private record Pass(Tensor logits, Tensor loss, List<Tensor> hidden, List<Tensor> attention, List<Integer> heads,
                        List<Tensor[]> moe, List<Integer> moeLayers) implements AutoCloseable {
        @Override
        public void close() {
            logits.close();
            loss.close();
            hidden.forEach(Tensor::close);
            for (Tensor t : attention) if (t != null) t.close();
            for (Tensor[] m : moe) for (Tensor t : m) t.close();
        }
    }

    /**
     * The layers, the final norm, the output head and the loss. Intermediate tensors are closed as soon
     * as nothing needs them (on a GPU backend that returns their memory now, not when collected), except
     * the ones the probes keep.
     */
    private Pass run(int[] ids, Probes probes, ForwardOptions options) {
        int T = ids.length, V = config.vocabSize();
        if (T == 0) throw new IllegalArgumentException("empty input: at least one token id is needed");
        for (int i = 0; i < T; i++) {
            if (ids[i] < 0 || ids[i] >= V) {
                throw new IllegalArgumentException("token id " + ids[i] + " at position " + i + " is outside the vocabulary (0.." + (V - 1) + ")");
            }
        }
        Backend b = backend;
        Tensor idT = b.uploadInts(ids, T);
        Tensor h = b.embedding(embeddings, idT);
        List<Tensor> hidden = new ArrayList<>();
        List<Tensor> attention = new ArrayList<>();
        List<Integer> heads = new ArrayList<>();
        List<Tensor[]> moe = new ArrayList<>();   // router input, logits, index, weight, output
        List<Integer> moeLayers = new ArrayList<>();
        boolean hKept = probes.hidden();
        if (hKept) hidden.add(h);

        for (DecoderLayer layer : layers) {
            AttentionOutput a;
            try (Tensor x = layer.inputNorm().apply(b, h)) {
                a = layer.attention().forward(b, x, T, probes.attention(), options.attentionPattern(layer.index(), T));
            }
            // The residual sums go in place into tensors this pass owns (the output projection's
            // result, then that sum): on the CPU a fresh [T, D] array for each is cold memory, and
            // the adds were memory-bound at several times the cost of adding hot arrays.
            Tensor afterAttention = a.context();
            b.addInPlace(afterAttention, h);
            if (!hKept) h.close();
            attention.add(a.probabilities());
            heads.add(layer.attention().heads());

            Tensor normed = layer.postAttentionNorm().apply(b, afterAttention);
            Tensor ffn;
            boolean traced = false;
            if (layer.isMoe()) {
                MoeBlock.Output out = layer.moe().forward(b, normed, layer.index(), options);
                ffn = out.hidden();
                var d = out.decision();
                if (probes.routing()) {
                    moe.add(new Tensor[]{normed, d.logits(), d.routing().index(), d.routing().weight(), ffn});
                    moeLayers.add(layer.index());
                    traced = true;
                } else {
                    d.logits().close();
                    d.routing().close();
                }
            } else {
                ffn = layer.dense().apply(b, normed);
            }
            b.addInPlace(afterAttention, ffn);
            h = afterAttention;
            if (!traced) {
                normed.close();
                ffn.close();
            }
            hKept = probes.hidden() && layer.index() < layers.size() - 1;
            if (hKept) hidden.add(h);
        }
        Tensor last = finalNorm.apply(b, h);
        if (!hKept) h.close();
        if (probes.hidden()) hidden.add(last);
        Tensor logits = b.linear(last, lmHead, null);
        if (!probes.hidden()) last.close();
        Tensor loss = b.nextTokenLoss(logits, idT);
        idT.close();
        return new Pass(logits, loss, hidden, attention, heads, moe, moeLayers);
    }

    /** Copies what the probes kept back to the host, once. */
    private ForwardResult collect(int[] ids, Pass p) {
        Backend b = backend;
        int T = ids.length;
        List<float[]> hiddenOut = p.hidden().stream().map(b::download).toList();
        List<float[]> attentionOut = new ArrayList<>();
        for (Tensor t : p.attention()) attentionOut.add(t == null ? null : b.download(t));
        List<MoeTrace> traces = new ArrayList<>();
        for (int i = 0; i < p.moe().size(); i++) {
            Tensor[] m = p.moe().get(i);
            // k from the routing itself: options may have changed it.
            RouterDecision d = new RouterDecision(T, config.numExperts(), m[2].dim(1), b.download(m[1]),
                    b.downloadInts(m[2]), b.download(m[3]));
            traces.add(new MoeTrace(p.moeLayers().get(i), b.download(m[0]), d, b.download(m[4])));
        }
        return new ForwardResult(ids.clone(), config.vocabSize(), config.hiddenSize(), b.download(p.logits()),
                b.download(p.loss())[0], auxLoss(traces), hiddenOut, attentionOut, p.heads(), traces);
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
                RoutingRule.softmax(d.logits(), t * E, E, p);
                int[] top = RoutingRule.topK(p, k);
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
