package io.moescope.model;

import io.moescope.backend.Backend;
import io.moescope.backend.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * What one forward pass keeps for inspection (the probes asked for), and the freeing of
 * everything else: the pass hands each intermediate here once it has used it, and the recorder
 * closes it unless a probe keeps it or a tape holds it for backward. On a GPU backend that returns
 * the memory now, not when the tensors are collected.
 */
final class ProbeRecorder implements AutoCloseable {
    /** One MoE layer's router input, decision and block output, as kept. */
    private record Routed(int layer, Tensor input, Router.Decision decision, Tensor output) {}

    private final Backend b;
    private final boolean keepAttention, keepHidden, keepRouting;
    private final Tape tape;
    private final int layers;
    private final Set<Tensor> kept = Collections.newSetFromMap(new IdentityHashMap<>());
    private final List<Tensor> hidden = new ArrayList<>();
    private final List<Tensor> attention = new ArrayList<>();
    private final List<Integer> heads = new ArrayList<>();
    private final List<Routed> routed = new ArrayList<>();

    /** @param tape the pass's tape, whose tensors are not the recorder's to free, or null */
    ProbeRecorder(Backend b, boolean attention, boolean hidden, boolean routing, Tape tape, int layers) {
        this.b = b;
        this.keepAttention = attention;
        this.keepHidden = hidden;
        this.keepRouting = routing;
        this.tape = tape;
        this.layers = layers;
    }

    /** Whether the attention probes are asked for (the attention then returns its probabilities). */
    boolean wantsAttention() {
        return keepAttention;
    }

    /** A hidden state in transformers' hidden_states layout: the embeddings, then the final norm's output. */
    void hidden(Tensor h) {
        if (keepHidden) hidden.add(keep(h));
    }

    /** Layer l's output: kept for layers 0..L-2 (the last one's appears after the final norm, as in transformers). */
    void layerOutput(int l, Tensor h) {
        if (l < layers - 1) hidden(h);
    }

    /** A layer's attention probabilities [H, T, T], null when not asked for. */
    void attention(Tensor probabilities, int headCount) {
        attention.add(probabilities == null ? null : keep(probabilities));
        heads.add(headCount);
    }

    /** An MoE layer's router input [T, D], routing decision and block output [T, D]. */
    void routing(int layer, Tensor input, Router.Decision d, Tensor output) {
        if (keepRouting) {
            keep(input);
            keep(d.logits());
            keep(d.routing().index());
            keep(d.routing().weight());
            keep(output);
            routed.add(new Routed(layer, input, d, output));
        } else {
            free(d.logits(), d.routing().index(), d.routing().weight());
        }
    }

    /** Closes tensors the pass has used, except those a probe keeps or the tape holds. */
    void free(Tensor... used) {
        for (Tensor t : used) {
            if (!kept.contains(t) && (tape == null || !tape.holds(t))) t.close();
        }
    }

    /** Copies what the probes kept back to the host, once, with the logits and the loss. */
    ForwardResult collect(int[] ids, ModelConfig config, Tensor logits, Tensor loss) {
        int T = ids.length;
        List<float[]> hiddenOut = hidden.stream().map(b::download).toList();
        List<float[]> attentionOut = new ArrayList<>();
        for (Tensor t : attention) attentionOut.add(t == null ? null : b.download(t));
        List<MoeTrace> traces = new ArrayList<>();
        for (Routed r : routed) {
            var routing = r.decision().routing();
            // k from the routing itself: options may have changed it.
            RouterDecision d = new RouterDecision(T, config.numExperts(), routing.index().dim(1), b.download(r.decision().logits()),
                    b.downloadInts(routing.index()), b.download(routing.weight()));
            traces.add(new MoeTrace(r.layer(), b.download(r.input()), d, b.download(r.output())));
        }
        return new ForwardResult(ids.clone(), config.vocabSize(), config.hiddenSize(), b.download(logits),
                b.download(loss)[0], auxLoss(config, traces), hiddenOut, attentionOut, List.copyOf(heads), traces);
    }

    /** The load-balancing loss of the traced MoE layers; NaN for DeepSeek, which defines none. */
    private static double auxLoss(ModelConfig config, List<MoeTrace> traces) {
        if (config.architecture().usesMla()) return Double.NaN;
        List<float[]> logits = traces.stream().map(t -> t.decision().logits()).toList();
        return LoadBalancing.of(logits, config.numExperts(), config.topK(), 0).loss();
    }

    @Override
    public void close() {
        kept.forEach(Tensor::close);
        kept.clear();
    }

    private Tensor keep(Tensor t) {
        kept.add(t);
        return t;
    }
}
