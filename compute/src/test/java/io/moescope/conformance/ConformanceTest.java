package io.moescope.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.moescope.backend.Backend;
import io.moescope.checkpoint.Checkpoint;
import io.moescope.checkpoint.SafetensorsFile;
import io.moescope.model.Architecture;
import io.moescope.model.ForwardResult;
import io.moescope.model.ModelLoader;
import io.moescope.model.MoeModel;
import io.moescope.model.MoeTrace;
import io.moescope.model.RouterDecision;
import io.moescope.testing.Closeness;
import io.moescope.testing.Conformance;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The forward pass of every backend against HF transformers' outputs for all twelve checkpoints:
 * logits, the loss (also of the loss-only pass), hidden states, attention probabilities, router
 * inputs, logits, top-k sets and weights, MoE outputs and the aux loss, within the backend's
 * {@link Tolerances}. Each backend runs each model once and every check is made on that run; a line
 * per run reports the worst errors.
 */
class ConformanceTest {

    static Stream<Arguments> backendsAndModels() {
        return ConformanceBackends.crossedWith(Conformance.allModelsWithArch().toList());
    }

    /** The largest errors of one run, for the report line. */
    private static final class Worst {
        double logits, hidden, loss, attention, weights;
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("backendsAndModels")
    void matchesTransformers(ConformanceBackend backend, Path dir) {
        Backend b = ConformanceBackends.open(backend);
        Tolerances tol = backend.tolerances();
        try (Checkpoint ckpt = Checkpoint.open(dir); SafetensorsFile golden = SafetensorsFile.open(dir.resolve("golden.safetensors"))) {
            MoeModel model = ModelLoader.load(ckpt, b);
            int[] ids = golden.ints("input_ids");
            ForwardResult r = model.forward(ids, MoeModel.Probes.ALL);
            Worst worst = new Worst();

            worst.logits = Closeness.assertClose("logits", golden.floats("logits").toArray(), r.logits(), tol.logits());
            float loss = golden.floats("ce_loss").get(0);
            worst.loss = Math.abs(loss - r.loss());
            assertEquals(loss, r.loss(), tol.loss(), "cross-entropy loss");
            // the loss-only pass (no probes, no logits download, intermediates closed as it goes) agrees
            double lossOnly = model.loss(ids);
            assertEquals(loss, lossOnly, tol.loss(), "loss-only pass");
            assertEquals(r.loss(), lossOnly, tol.lossOnlyVsForward(), "loss-only pass against forward");

            checkHiddenStatesAndAttention(golden, model, r, tol, worst);
            checkRouting(golden, model, r, tol, worst);
            System.out.printf("%s conformance %-22s logits %.2e, hidden %.2e (of max |value|), loss %.2e, attention %.2e, "
                    + "top-k weights %.2e%n", backend.label(), dir.getFileName(), worst.logits, worst.hidden, worst.loss,
                    worst.attention, worst.weights);
        }
    }

    private static void checkHiddenStatesAndAttention(SafetensorsFile golden, MoeModel model, ForwardResult r, Tolerances tol, Worst worst) {
        int L = model.config().numLayers();
        assertEquals(L + 1, r.hidden().size(), "hidden states: embeddings and one per layer");
        for (int i = 0; i <= L; i++) {
            worst.hidden = Math.max(worst.hidden,
                    Closeness.assertClose("hidden." + i, golden.floats("hidden." + i).toArray(), r.hidden().get(i), tol.hidden()));
        }
        for (int l = 0; l < L; l++) {
            worst.attention = Math.max(worst.attention,
                    Closeness.assertWithin("attn." + l, golden.floats("attn." + l).toArray(), r.attention().get(l), tol.attention()));
        }
    }

    private static void checkRouting(SafetensorsFile golden, MoeModel model, ForwardResult r, Tolerances tol, Worst worst) {
        assertEquals(model.config().moeLayerCount(), r.moe().size(), "one trace per MoE layer");
        for (MoeTrace tr : r.moe()) {
            RouterCapture c = RouterCapture.of(golden, tr.layer());
            String p = c.router();
            RouterDecision d = tr.decision();
            Closeness.assertClose(p + ".in.0", golden.floats(p + ".in.0").toArray(), tr.routerInput(), tol.router());
            Closeness.assertClose(c.logits() + " (router logits)", golden.floats(c.logits()).toArray(), d.logits(), tol.router());
            int[] wantIdx = golden.ints(c.index());
            float[] wantW = golden.floats(c.weights()).toArray();
            int k = d.k();
            assertEquals(wantIdx.length, d.topkIndex().length, "top-k shape");
            for (int t = 0; t < d.tokens(); t++) {
                // transformers' order within a token's top-k is not ours: compare sets, and weights by expert
                Map<Integer, Float> want = new HashMap<>();
                for (int j = 0; j < k; j++) want.put(wantIdx[t * k + j], wantW[t * k + j]);
                int[] gotSet = Arrays.copyOfRange(d.topkIndex(), t * k, t * k + k);
                int[] wantSet = Arrays.copyOfRange(wantIdx, t * k, t * k + k);
                Arrays.sort(gotSet);
                Arrays.sort(wantSet);
                assertArrayEquals(wantSet, gotSet, p + " top-k set of token " + t);
                for (int j = 0; j < k; j++) {
                    int e = d.topkIndex()[t * k + j];
                    float got = d.topkWeight()[t * k + j];
                    assertEquals(want.get(e), got, tol.topkWeights(), p + " weight of expert " + e + " for token " + t);
                    worst.weights = Math.max(worst.weights, Math.abs(want.get(e) - got));
                }
            }
            // granitemoeshared's block leaves out the shared MLP, which its decoder layer adds and ours does not separate
            if (c.blockOutput() != null && model.config().architecture() != Architecture.GRANITEMOE_SHARED) {
                Closeness.assertClose(c.blockOutput(), golden.floats(c.blockOutput()).toArray(), tr.output(), tol.moeOutput());
            }
        }
        if (golden.info("aux_loss") != null) {
            assertEquals(golden.floats("aux_loss").get(0), r.auxLoss(), tol.auxLoss(), "aux loss");
        }
    }
}
