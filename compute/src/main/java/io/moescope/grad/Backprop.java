package io.moescope.grad;

import io.moescope.backend.Backend;
import io.moescope.backend.Tensor;
import io.moescope.model.DecoderLayer;
import io.moescope.model.ModelConfig;
import io.moescope.model.MoeModel;
import java.util.ArrayList;
import java.util.List;

/**
 * Reverse-mode gradients of a whole model for one token sequence, in the two phases of nanoGPT or
 * llm.c: {@link #forward} runs the model as MoeModel.forward does and keeps, per layer, a small tape
 * of what backward needs; {@link #backward} walks the layers in reverse and adds each parameter's
 * gradient into a {@link Gradients}. The objective is the mean next-token cross-entropy, optionally
 * plus coef times the load-balancing loss.
 */
public final class Backprop {
    private Backprop() {}

    /**
     * @param lossScale   factor on the cross-entropy's gradient: 1 for one sequence, 1/N to average
     *                    N sequences into one Gradients, 0 for the load-balancing loss alone
     * @param auxLossCoef factor on the load-balancing loss (0: none); ignored by architectures that do
     *                    not define one (DeepSeek)
     * @param flow        also measure the gradient flow: the residual gradient norms, the expert token
     *                    counts and the load-balancing loss's value. Each brings a value to the host, so
     *                    a GPU backend waits for the device there; without it the pass only adds into the
     *                    gradients and brings back the loss at its end
     */
    public record Options(float lossScale, double auxLossCoef, boolean flow) {
        /** With the gradient flow measured, as the workbench, training and gradient-flow report want. */
        public Options(float lossScale, double auxLossCoef) {
            this(lossScale, auxLossCoef, true);
        }

        public static final Options CROSS_ENTROPY = new Options(1f, 0);
        /** The cross-entropy's gradients and the loss alone, as a training step of PyTorch computes them. */
        public static final Options GRADIENTS_ONLY = new Options(1f, 0, false);

        /** Cross-entropy plus the load-balancing loss with the model's own router_aux_loss_coef, as transformers trains. */
        public static Options withAuxLoss(MoeModel model) {
            return new Options(1f, model.config().routerAuxLossCoef());
        }
    }

    /**
     * @param loss              mean next-token cross-entropy (NaN for a single token)
     * @param auxLoss           the load-balancing loss before its coefficient (NaN where undefined, or
     *                          when neither the options' flow nor an aux coefficient asked for it)
     * @param residualGradNorms L+1 norms of dL/dh (L the objective as the options scale it): index l
     *                          is the input of layer l (index 0 the embeddings), index L the last
     *                          layer's output (before the final norm); null without the options' flow
     * @param expertTokens      per layer, how many tokens each expert received (null for dense layers);
     *                          null as a whole without the options' flow
     */
    public record Result(double loss, double auxLoss, double[] residualGradNorms, int[][] expertTokens) {}

    /**
     * What forward kept: per-layer tapes, the final norm's input and output, the logits, and the loss
     * still on the device (read after backward, so that the device is not waited for in between).
     */
    record Tape(int[] ids, Tensor idTensor, List<LayerBackprop.Tape> layers, Tensor lastHidden, Tensor normed,
                Tensor logits, Tensor loss) {}

    /** Gradients of the cross-entropy of one sequence, in a fresh container. */
    public static Gradients gradients(MoeModel model, int[] ids) {
        Gradients g = Gradients.zeros(model);
        run(model, ids, g, Options.CROSS_ENTROPY);
        return g;
    }

    /** Forward then backward; adds this sequence's gradients into {@code grads}. */
    public static Result run(MoeModel model, int[] ids, Gradients grads, Options options) {
        Tape tape = forward(model, ids);
        try {
            return backward(model, tape, grads, options);
        } finally {
            Tapes.close(tape);
        }
    }

    static Tape forward(MoeModel model, int[] ids) {
        check(model.config(), ids);
        Backend b = model.backend();
        int T = ids.length;
        Tensor idT = b.uploadInts(ids, T);
        Tensor h = b.embedding(model.embeddings(), idT);
        List<LayerBackprop.Tape> layers = new ArrayList<>();
        for (DecoderLayer layer : model.layers()) {
            LayerBackprop.Tape t = LayerBackprop.forward(b, layer, h, T);
            layers.add(t);
            h = t.out();
        }
        Tensor normed = model.finalNorm().apply(b, h);
        Tensor logits = b.linear(normed, model.lmHead(), null);
        return new Tape(ids.clone(), idT, layers, h, normed, logits, b.nextTokenLoss(logits, idT));
    }

    static Result backward(MoeModel model, Tape tape, Gradients g, Options options) {
        Backend b = model.backend();
        ModelConfig cfg = model.config();
        int T = tape.ids().length, L = model.layers().size();
        LoadBalancing.Result aux = loadBalancing(model, tape, options);

        // Forward in reverse: loss -> logits = norm(h_L) lmHead^T -> final norm -> layers L-1..0 -> embeddings.
        // Each gradient of an activation is closed once the next one is made (GPU memory back at once).
        Tensor dh;
        try (Tensor dLogits = b.nextTokenLossBackward(tape.logits(), tape.idTensor(), options.lossScale());
             Tensor dNormed = b.linearBackward(dLogits, tape.normed(), model.lmHead(), g.of(model.lmHead()), null)) {
            dh = GradOps.norm(b, model.finalNorm(), dNormed, tape.lastHidden(), g);
        }
        // A norm is a value on the host: only the gradient flow pays for the wait on the device.
        double[] residual = options.flow() ? new double[L + 1] : null;
        if (residual != null) residual[L] = Math.sqrt(b.sumOfSquares(dh));
        for (int l = L - 1; l >= 0; l--) {
            Tensor dIn = LayerBackprop.backward(b, model.layers().get(l), tape.layers().get(l), dh, g, aux.term(), T);
            dh.close();
            dh = dIn;
            if (residual != null) residual[l] = Math.sqrt(b.sumOfSquares(dh));
        }
        embeddingBackward(b, cfg, tape, dh, g.of(model.embeddings()));
        dh.close();
        double loss = b.download(tape.loss())[0];
        return new Result(loss, aux.loss(), residual, options.flow() ? expertTokens(b, cfg, tape) : null);
    }

    /**
     * dTable[ids[t]] += dh[t], except for the padding token: transformers builds its embeddings as
     * nn.Embedding(padding_idx = pad_token_id), whose pad row gets no gradient from the lookup (a
     * tied output head still adds its share). The other rows are gathered with the embedding op.
     */
    private static void embeddingBackward(Backend b, ModelConfig cfg, Tape tape, Tensor dh, Tensor dTable) {
        int[] ids = tape.ids();
        int pad = cfg.padTokenId();
        int[] keep = java.util.stream.IntStream.range(0, ids.length).filter(t -> ids[t] != pad).toArray();
        if (keep.length == ids.length) {
            b.embeddingBackward(dh, tape.idTensor(), dTable);
        } else if (keep.length > 0) {
            int[] kept = java.util.Arrays.stream(keep).map(t -> ids[t]).toArray();
            Tensor rows = b.embedding(dh, b.uploadInts(keep, keep.length));
            b.embeddingBackward(rows, b.uploadInts(kept, kept.length), dTable);
        }
    }

    /** The load-balancing loss's value, and its gradient term when the options ask for it. */
    private static LoadBalancing.Result loadBalancing(MoeModel model, Tape tape, Options options) {
        ModelConfig cfg = model.config();
        List<Tensor> logits = tape.layers().stream().map(LayerBackprop.Tape::moe).filter(m -> m != null)
                .map(MoeBackprop.Tape::logits).toList();
        if (cfg.architecture().usesMla() || logits.isEmpty()) return new LoadBalancing.Result(Double.NaN, null);
        // the value needs every layer's router logits on the host: only when it is asked for
        if (options.auxLossCoef() == 0 && !options.flow()) return new LoadBalancing.Result(Double.NaN, null);
        LoadBalancing.Result r = LoadBalancing.of(model.backend(), logits, cfg.numExperts(), cfg.topK(), options.auxLossCoef());
        return options.auxLossCoef() == 0 ? new LoadBalancing.Result(r.loss(), null) : r;
    }

    private static int[][] expertTokens(Backend b, ModelConfig cfg, Tape tape) {
        int[][] out = new int[tape.layers().size()][];
        for (int l = 0; l < out.length; l++) {
            MoeBackprop.Tape m = tape.layers().get(l).moe();
            if (m == null) continue;
            out[l] = new int[cfg.numExperts()];
            for (int e : b.downloadInts(m.routing().index())) out[l][e]++;
        }
        return out;
    }

    /** The same refusals, with the same words, as MoeModel.forward. */
    private static void check(ModelConfig cfg, int[] ids) {
        if (ids.length == 0) throw new IllegalArgumentException("empty input: at least one token id is needed");
        int V = cfg.vocabSize();
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= V) {
                throw new IllegalArgumentException("token id " + ids[i] + " at position " + i + " is outside the vocabulary (0.." + (V - 1) + ")");
            }
        }
    }
}
