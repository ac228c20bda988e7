package io.moescope.inspect;

import io.moescope.backend.Backend;
import io.moescope.backend.java.JavaBackend;
import io.moescope.checkpoint.Checkpoint;
import io.moescope.files.CheckpointException;
import io.moescope.checkpoint.TensorData;
import io.moescope.grad.Backprop;
import io.moescope.grad.CheckpointGradients;
import io.moescope.model.ForwardResult;
import io.moescope.model.ModelLoader;
import io.moescope.model.MoeModel;
import io.moescope.model.MoeTrace;
import io.moescope.model.RouterDecision;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Runs one forward pass with every probe on and returns the tensors of the {@code moescope inspect}
 * contract, which other tools read: logits, loss, hidden.i, attn.l, router.l.{logits,topk_idx,topk_weight},
 * and with gradients grad.&lt;checkpoint tensor name&gt; for every trained tensor, in its checkpoint shape.
 */
public final class InspectService {
    private InspectService() {}

    /** As {@link #inspect(Path, int[], boolean, Consumer)}, dropping warnings. */
    public static List<TensorData> inspect(Path modelDir, int[] ids, boolean grads) {
        return inspect(modelDir, ids, grads, w -> { });
    }

    /**
     * @param modelDir an HF-layout model folder
     * @param ids      token ids, at least one, each inside the vocabulary
     * @param grads    also return the gradient of the cross-entropy loss (alone, without the
     *                 load-balancing term) for every trained checkpoint tensor, as grad.&lt;name&gt;
     * @param warnings receives one line per problem worth telling that does not stop the run (NaN/Inf weights)
     * @throws CheckpointException on bad input, naming the file or folder and the problem
     */
    public static List<TensorData> inspect(Path modelDir, int[] ids, boolean grads, Consumer<String> warnings) {
        try (Backend backend = new JavaBackend()) {
            return inspect(modelDir, ids, grads, warnings, backend);
        }
    }

    /** As above, within the given limits (the command line's --max-tokens). */
    public static List<TensorData> inspect(Path modelDir, int[] ids, boolean grads, Consumer<String> warnings, RunLimits limits) {
        try (Backend backend = new JavaBackend()) {
            return inspect(modelDir, ids, grads, warnings, backend, limits);
        }
    }

    /** As above, computing on the given backend, within this JVM's {@link RunLimits#current() limits}. */
    public static List<TensorData> inspect(Path modelDir, int[] ids, boolean grads, Consumer<String> warnings, Backend backend) {
        return inspect(modelDir, ids, grads, warnings, backend, RunLimits.current());
    }

    /**
     * As above, on the given backend and within the given limits: a prompt that is too long, or a run
     * whose {@link MemoryEstimate} does not fit, is refused before the model is loaded.
     */
    public static List<TensorData> inspect(Path modelDir, int[] ids, boolean grads, Consumer<String> warnings, Backend backend,
                                           RunLimits limits) {
        if (ids.length == 0) throw new CheckpointException(modelDir, "empty input: at least one token id is needed");
        limits.checkPrompt(modelDir, ids.length);
        try (Checkpoint ckpt = Checkpoint.open(modelDir)) {
            limits.checkMemory(modelDir, MemoryEstimate.of(ckpt, ids.length, grads));
            MoeModel model = ModelLoader.load(ckpt, backend);
            ForwardResult r;
            try {
                r = model.forward(ids, MoeModel.Probes.ALL);
            } catch (IllegalArgumentException e) {
                throw new CheckpointException(modelDir, e.getMessage());
            }
            ckpt.warnings().forEach(warnings);
            List<TensorData> out = tensors(r, model);
            if (grads) out.addAll(CheckpointGradients.tensors(ckpt, Backprop.gradients(model, ids), "grad."));
            return out;
        }
    }

    static List<TensorData> tensors(ForwardResult r, MoeModel model) {
        int T = r.tokens(), V = r.vocabSize(), D = r.hiddenSize();
        List<TensorData> out = new ArrayList<>();
        out.add(TensorData.f32("logits", r.logits(), T, V));
        out.add(TensorData.f32("loss", new float[]{(float) r.loss()}, 1));
        for (int i = 0; i < r.hidden().size(); i++) out.add(TensorData.f32("hidden." + i, r.hidden().get(i), T, D));
        for (int l = 0; l < r.attention().size(); l++) {
            out.add(TensorData.f32("attn." + l, r.attention().get(l), r.attentionHeads().get(l), T, T));
        }
        for (MoeTrace tr : r.moe()) {
            RouterDecision d = tr.decision();
            String p = "router." + tr.layer() + ".";
            out.add(TensorData.f32(p + "logits", d.logits(), T, d.experts()));
            out.add(TensorData.i32(p + "topk_idx", d.topkIndex(), T, d.k()));
            out.add(TensorData.f32(p + "topk_weight", d.topkWeight(), T, d.k()));
        }
        return out;
    }
}
