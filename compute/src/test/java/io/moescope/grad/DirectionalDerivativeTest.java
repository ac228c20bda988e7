package io.moescope.grad;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.moescope.backend.java.JavaBackend;
import io.moescope.checkpoint.Checkpoint;
import io.moescope.checkpoint.SafetensorsFile;
import io.moescope.checkpoint.TensorData;
import io.moescope.model.ForwardResult;
import io.moescope.model.ModelLoader;
import io.moescope.model.MoeModel;
import io.moescope.model.MoeTrace;
import io.moescope.testing.Conformance;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The whole model's gradient against a finite difference of its own float32 forward pass: moving
 * every weight a step eps along the unit gradient direction d changes the loss by eps |g| to first
 * order, so (L(theta + eps d) - L(theta - eps d)) / 2 eps must be |g|. This covers all twelve models,
 * including what only the extra ones have (YaRN, sliding window, clip_qkv, tied embeddings,
 * group-limited routing, bf16/f16 weights, shards), where there are no golden gradients.
 *
 * <p>The loss is only piecewise smooth: where a step changes some token's top-k choice it jumps. A
 * step is therefore used only if no choice changed at either end; otherwise a smaller one is tried.
 */
class DirectionalDerivativeTest {
    @TempDir Path tmp;

    /** Loss changes (eps |g|) to try, largest first: large enough to stay far above float32 noise. */
    private static final double[] STEPS = {3e-3, 1e-3, 3e-4};

    static Stream<Path> models() {
        return Conformance.allModels();
    }

    @ParameterizedTest
    @MethodSource("models")
    void crossEntropyGradientPredictsTheChangeInLoss(Path dir) {
        check(dir, Backprop.Options.CROSS_ENTROPY, false);
    }

    /** The load-balancing loss alone (no cross-entropy): its gradient through the router probabilities. */
    @ParameterizedTest
    @MethodSource("models")
    void loadBalancingGradientPredictsTheChangeInAuxLoss(Path dir) {
        try (Checkpoint ckpt = Checkpoint.open(dir)) {
            assumeFalse(ModelLoader.config(ckpt).architecture().usesMla(), "DeepSeek defines no such loss in transformers");
        }
        check(dir, new Backprop.Options(0f, 1.0), true);
    }

    private void check(Path dir, Backprop.Options options, boolean aux) {
        String what = dir.getFileName() + (aux ? " load-balancing loss" : " cross-entropy");
        try (Checkpoint ckpt = Checkpoint.open(dir);
             SafetensorsFile golden = SafetensorsFile.open(dir.resolve("golden.safetensors"));
             JavaBackend backend = new JavaBackend()) {
            int[] ids = golden.ints("input_ids");
            MoeModel model = ModelLoader.load(ckpt, backend);
            Gradients g = Gradients.zeros(model);
            Backprop.run(model, ids, g, options);
            double norm = g.globalNorm();
            Map<String, float[]> direction = new LinkedHashMap<>();
            for (TensorData t : CheckpointGradients.tensors(ckpt, g, "")) {
                float[] d = t.floats().clone();
                for (int i = 0; i < d.length; i++) d[i] /= (float) norm;
                direction.put(t.name(), d);
            }
            Map<String, TensorData> theta = CheckpointCopies.read(ckpt);
            List<int[]> choices = choices(model.forward(ids, new MoeModel.Probes(false, false, true)));
            for (double step : STEPS) {
                double eps = step / norm;
                ForwardResult up = run(CheckpointCopies.perturbed(ckpt, theta, direction, eps, tmp.resolve("up" + step)), ids);
                ForwardResult down = run(CheckpointCopies.perturbed(ckpt, theta, direction, -eps, tmp.resolve("down" + step)), ids);
                if (!sameChoices(choices, choices(up)) || !sameChoices(choices, choices(down))) continue;
                double fd = aux ? (up.auxLoss() - down.auxLoss()) / (2 * eps) : (up.loss() - down.loss()) / (2 * eps);
                System.out.printf("directional derivative %s: |g| = %.6g, finite difference %.6g (step %.0e), relative error %.2e%n",
                        what, norm, fd, step, Math.abs(fd - norm) / norm);
                assertEquals(norm, fd, 2e-3 * norm, what);
                return;
            }
            fail(what + ": every step changed some top-k choice; no finite difference to compare with");
        }
    }

    private static ForwardResult run(Path dir, int[] ids) {
        try (Checkpoint ckpt = Checkpoint.open(dir); JavaBackend backend = new JavaBackend()) {
            return ModelLoader.load(ckpt, backend).forward(ids, new MoeModel.Probes(false, false, true));
        }
    }

    /** Each MoE layer's chosen experts, sorted per token. */
    private static List<int[]> choices(ForwardResult r) {
        return r.moe().stream().map(MoeTrace::decision).map(d -> {
            int[] idx = d.topkIndex().clone();
            for (int t = 0; t < d.tokens(); t++) Arrays.sort(idx, t * d.k(), (t + 1) * d.k());
            return idx;
        }).toList();
    }

    private static boolean sameChoices(List<int[]> a, List<int[]> b) {
        if (a.size() != b.size()) return false;
        for (int i = 0; i < a.size(); i++) if (!Arrays.equals(a.get(i), b.get(i))) return false;
        return true;
    }
}
