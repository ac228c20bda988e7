package io.moescope.model;

import io.moescope.backend.AttentionOutput;
import io.moescope.backend.Backend;
import io.moescope.backend.Tensor;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

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
        try (ProbeRecorder recorder = recorder(probes, null);
             Pass p = run(ids, options, recorder, null)) {
            return recorder.collect(ids, config, p.logits(), p.loss());
        }
    }

    /**
     * The mean next-token cross-entropy alone (NaN for one token): the pass {@link #forward} makes
     * without probes, but only the loss comes back to the host, not the [T, V] logits.
     *
     * @throws IllegalArgumentException as {@link #forward}
     */
    public double loss(int[] ids) {
        try (Pass p = run(ids, ForwardOptions.NONE, recorder(Probes.NONE, null), null)) {
            return backend.download(p.loss())[0];
        }
    }

    /**
     * The forward pass a backward pass follows: as {@link #forward} without probes, saving onto the
     * tape what {@link #backwardHead}, {@link #backwardLayer} and {@link #backwardEmbedding} need.
     *
     * @return the logits and the loss, left on the device for the caller to read and close
     * @throws IllegalArgumentException as {@link #forward}
     */
    public Pass forward(int[] ids, Tape tape) {
        return run(ids, ForwardOptions.NONE, recorder(Probes.NONE, tape), tape);
    }

    private ProbeRecorder recorder(Probes probes, Tape tape) {
        return new ProbeRecorder(backend, probes.attention(), probes.hidden(), probes.routing(), tape, layers.size());
    }

    /** The logits [T, V] and the mean next-token cross-entropy [1] of one pass, on the device. */
    public record Pass(Tensor logits, Tensor loss) implements AutoCloseable {
        @Override
        public void close() {
            logits.close();
            loss.close();
        }
    }

    /** What a recorded pass keeps at the model's two ends: the ids, and the final norm's input and output. */
    private record Ends(int[] ids, Tensor idTensor, Tensor lastHidden, Tensor normed, Tensor logits) {}

    /** What a recorded pass keeps of a layer's residual stream: the layer's input, and the stream after attention. */
    private record Residual(Tensor h, Tensor mid) {}

    /**
     * The embeddings, the pre-norm decoder layers, the final norm, the output head and the loss. The
     * recorder frees each intermediate once it is used, except what the probes or the tape keep.
     */
    private Pass run(int[] ids, ForwardOptions options, ProbeRecorder recorder, Tape tape) {
        int T = ids.length;
        ModelConfig.Multipliers m = config.multipliers();
        check(ids);
        Backend b = backend;
        Tensor idT = b.uploadInts(ids, T);
        Tensor h = b.embedding(embeddings, idT);
        scale(h, m.embedding());
        recorder.hidden(h);
        for (DecoderLayer layer : layers) {
            int l = layer.index();
            // normalise, attend, add
            Tensor x = layer.inputNorm().apply(b, h);
            AttentionOutput a = layer.attention().forward(b, x, T, options.attentionPattern(l, T), recorder.wantsAttention(), tape);
            recorder.attention(a.probabilities(), layer.attention().heads());
            Tensor mid = into(scale(a.context(), m.residual()), h);
            Tape.record(tape, layer, new Residual(h, mid));
            recorder.free(x, h);
            // normalise, mix experts, add
            Tensor y = layer.postAttentionNorm().apply(b, mid);
            Tensor ffn = mixExperts(layer, y, options, recorder, tape);
            // the probes may keep ffn as it left the block, so a scaled copy goes into the sum
            Tensor branch = m.residual() == 1 ? ffn : scale(Tape.snapshot(b, ffn), m.residual());
            Tensor out = tape == null ? into(mid, branch) : b.add(mid, branch);   // a recording keeps mid for backward
            if (branch != ffn) branch.close();
            recorder.free(y, ffn);
            recorder.layerOutput(l, out);
            h = out;
        }
        // normalise, project onto the vocabulary, score the next tokens
        Tensor normed = finalNorm.apply(b, h);
        recorder.hidden(normed);
        Tensor logits = scale(b.linear(normed, lmHead, null), 1 / m.logits());
        Tensor loss = b.nextTokenLoss(logits, idT);
        Tape.record(tape, this, new Ends(ids.clone(), idT, h, normed, logits));
        recorder.free(h, normed, idT);
        return new Pass(logits, loss);
    }

    /**
     * into += x. The residual sums go in place into tensors this pass owns (the output projection's
     * result, then that sum): on the CPU a fresh [T, D] array for each is cold memory, and the adds
     * were memory-bound at several times the cost of adding hot arrays.
     */
    private Tensor into(Tensor into, Tensor x) {
        backend.addInPlace(into, x);
        return into;
    }

    /** x *= s in place (Granite's multipliers), and nothing where s is 1. */
    private Tensor scale(Tensor x, double s) {
        if (s != 1) backend.scale(x, (float) s);
        return x;
    }

    /** The layer's feed-forward: its MoE block, whose routing the recorder sees, or its dense MLP. */
    private Tensor mixExperts(DecoderLayer layer, Tensor y, ForwardOptions options, ProbeRecorder recorder, Tape tape) {
        if (!layer.isMoe()) return layer.dense().forward(backend, y, tape);
        MoeBlock.Output out = layer.moe().forward(backend, y, layer.index(), options, tape);
        recorder.routing(layer.index(), y, out.decision(), out.hidden());
        return out.hidden();
    }

    /**
     * dL/dh of the last layer's output (before the final norm), the adjoint of the loss, the output
     * head and the final norm of a recorded pass.
     *
     * @param lossScale factor on the cross-entropy's gradient
     */
    public Tensor backwardHead(Tape tape, float lossScale, WeightGradients g) {
        Ends s = tape.saved(this, Ends.class);
        try (Tensor dLogits = scale(backend.nextTokenLossBackward(s.logits(), s.idTensor(), lossScale), 1 / config.multipliers().logits());
             Tensor dNormed = backend.linearBackward(dLogits, s.normed(), lmHead, g.of(lmHead), null)) {
            return finalNorm.backward(backend, dNormed, s.lastHidden(), g);
        }
    }

    /**
     * dL/dh of a layer's input from dL/d(its output): the residual adds pass the gradient straight
     * through, beside the feed-forward's and the attention's, each through its norm.
     *
     * @param aux the load-balancing loss's share of an MoE layer's logit gradient, or null
     */
    public Tensor backwardLayer(DecoderLayer layer, Tape tape, Tensor dOut, WeightGradients g, LoadBalancing.Term aux) {
        Backend b = backend;
        Residual s = tape.saved(layer, Residual.class);
        double rm = config.multipliers().residual();
        // add, mix experts, normalise: backward
        Tensor dBranch = rm == 1 ? dOut : scale(Tape.snapshot(b, dOut), rm);
        Tensor dY = layer.isMoe() ? layer.moe().backward(b, tape, dBranch, g, aux) : layer.dense().backward(b, tape, dBranch, g);
        if (dBranch != dOut) dBranch.close();
        Tensor dMid;
        try (dY; Tensor dNorm = layer.postAttentionNorm().backward(b, dY, s.mid(), g)) {
            dMid = b.add(dOut, dNorm);
        }
        // add, attend, normalise: backward (the norm's backward needs only its input, so x was not kept)
        try (dMid; Tensor dAttn = rm == 1 ? null : scale(Tape.snapshot(b, dMid), rm);
             Tensor dX = layer.attention().backward(b, tape, dAttn == null ? dMid : dAttn, g);
             Tensor dNorm = layer.inputNorm().backward(b, dX, s.h(), g)) {
            return b.add(dMid, dNorm);
        }
    }

    /**
     * dTable[ids[t]] += dh[t], except for the padding token: transformers builds its embeddings as
     * nn.Embedding(padding_idx = pad_token_id), whose pad row gets no gradient from the lookup (a
     * tied output head still adds its share). The other rows are gathered with the embedding op.
     */
    public void backwardEmbedding(Tape tape, Tensor dh, WeightGradients g) {
        Ends s = tape.saved(this, Ends.class);
        Backend b = backend;
        int[] ids = s.ids();
        int pad = config.padTokenId();
        Tensor dTable = g.of(embeddings);
        double em = config.multipliers().embedding();
        if (em != 1) {
            try (Tensor scaled = scale(Tape.snapshot(b, dh), em)) {
                gatherIntoTable(ids, pad, scaled, s.idTensor(), dTable);
            }
        } else {
            gatherIntoTable(ids, pad, dh, s.idTensor(), dTable);
        }
    }

    private void gatherIntoTable(int[] ids, int pad, Tensor dh, Tensor idTensor, Tensor dTable) {
        Backend b = backend;
        int[] keep = IntStream.range(0, ids.length).filter(t -> ids[t] != pad).toArray();
        if (keep.length == ids.length) {
            b.embeddingBackward(dh, idTensor, dTable);
        } else if (keep.length > 0) {
            int[] kept = Arrays.stream(keep).map(t -> ids[t]).toArray();
            try (Tensor positions = b.uploadInts(keep, keep.length); Tensor rows = b.embedding(dh, positions);
                 Tensor keptIds = b.uploadInts(kept, kept.length)) {
                b.embeddingBackward(rows, keptIds, dTable);
            }
        }
    }

    private void check(int[] ids) {
        int T = ids.length, V = config.vocabSize();
        if (T == 0) throw new IllegalArgumentException("empty input: at least one token id is needed");
        for (int i = 0; i < T; i++) {
            if (ids[i] < 0 || ids[i] >= V) {
                throw new IllegalArgumentException("token id " + ids[i] + " at position " + i + " is outside the vocabulary (0.." + (V - 1) + ")");
            }
        }
    }
}
