package io.moescope.grad;

import io.moescope.backend.Backend;
import io.moescope.backend.Tensor;
import io.moescope.model.DecoderLayer;
import io.moescope.model.LoadBalancing;
import io.moescope.model.ModelConfig;
import io.moescope.model.MoeModel;
import io.moescope.model.Tape;
import io.moescope.model.WeightGradients;
import java.util.List;

/**
 * Reverse-mode gradients of a whole model for one token sequence, in the two phases of nanoGPT or
 * llm.c: the model's own forward pass runs with a {@link Tape}, on which each component saves what
 * its backward needs; {@link #backward} then walks the layers in reverse, each component's backward
 * adding its parameters' gradients into a {@link Gradients}. The objective is the mean next-token cross-entropy, optionally
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

    /** Gradients of the cross-entropy of one sequence, in a fresh container. */
    public static Gradients gradients(MoeModel model, int[] ids) {
        Gradients g = Gradients.zeros(model);
        run(model, ids, g, Options.CROSS_ENTROPY);
        return g;
    }

    /** Forward then backward; adds this sequence's gradients into {@code grads}. */
    public static Result run(MoeModel model, int[] ids, WeightGradients grads, Options options) {
        try (Tape tape = new Tape(); MoeModel.Pass pass = model.forward(ids, tape)) {
            return backward(model, tape, pass, grads, options);
        }
    }

    static Result backward(MoeModel model, Tape tape, MoeModel.Pass pass, WeightGradients g, Options options) {
        Backend b = model.backend();
        int L = model.layers().size();
        LoadBalancing.Result aux = loadBalancing(model, tape, options);

        // Forward in reverse: loss -> logits = norm(h_L) lmHead^T -> final norm -> layers L-1..0 -> embeddings.
        // Each gradient of an activation is closed once the next one is made (GPU memory back at once).
        Tensor dh = model.backwardHead(tape, options.lossScale(), g);
        // A norm is a value on the host: only the gradient flow pays for the wait on the device.
        double[] residual = options.flow() ? new double[L + 1] : null;
        if (residual != null) residual[L] = Math.sqrt(b.sumOfSquares(dh));
        for (int l = L - 1; l >= 0; l--) {
            Tensor dIn = model.backwardLayer(model.layers().get(l), tape, dh, g, aux.term());
            g.layerDone();
            dh.close();
            dh = dIn;
            if (residual != null) residual[l] = Math.sqrt(b.sumOfSquares(dh));
        }
        model.backwardEmbedding(tape, dh, g);
        dh.close();
        double loss = b.download(pass.loss())[0];
        return new Result(loss, aux.loss(), residual, options.flow() ? expertTokens(model, tape) : null);
    }

    /** The load-balancing loss's value, and its gradient term when the options ask for it. */
    private static LoadBalancing.Result loadBalancing(MoeModel model, Tape tape, Options options) {
        ModelConfig cfg = model.config();
        List<Tensor> logits = model.layers().stream().filter(DecoderLayer::isMoe).map(l -> l.moe().decision(tape).logits()).toList();
        if (cfg.architecture().usesMla() || logits.isEmpty()) return new LoadBalancing.Result(Double.NaN, null);
        // the value needs every layer's router logits on the host: only when it is asked for
        if (options.auxLossCoef() == 0 && !options.flow()) return new LoadBalancing.Result(Double.NaN, null);
        List<float[]> onHost = logits.stream().map(model.backend()::download).toList();
        LoadBalancing.Result r = LoadBalancing.of(onHost, cfg.numExperts(), cfg.topK(), options.auxLossCoef());
        return options.auxLossCoef() == 0 ? new LoadBalancing.Result(r.loss(), null) : r;
    }

    /** Per layer, how many tokens each expert received (null for dense layers). */
    private static int[][] expertTokens(MoeModel model, Tape tape) {
        int[][] out = new int[model.layers().size()][];
        for (DecoderLayer layer : model.layers()) {
            if (!layer.isMoe()) continue;
            int[] counts = out[layer.index()] = new int[model.config().numExperts()];
            for (int e : model.backend().downloadInts(layer.moe().decision(tape).routing().index())) counts[e]++;
        }
        return out;
    }
}
