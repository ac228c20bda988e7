package io.moescope.backend.ptx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.moescope.checkpoint.Checkpoint;
import io.moescope.checkpoint.SafetensorsFile;
import io.moescope.model.ForwardResult;
import io.moescope.model.ModelLoader;
import io.moescope.model.MoeModel;
import io.moescope.model.MoeTrace;
import io.moescope.model.RouterDecision;
import io.moescope.testing.Conformance;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The forward pass on the GPU against HF transformers' outputs for all twelve checkpoints, with
 * ConformanceTest's tolerances: logits and hidden states 1e-3 of the largest value, loss 1e-4,
 * attention 2e-4, identical top-k sets, top-k weights 1e-4. Skipped without an NVIDIA driver.
 */
class PtxConformanceTest {

    static Stream<Path> models() {
        return Conformance.allModels();
    }

    private static final class Worst {
        double logits, hidden, loss, attention, weights;
    }

    @ParameterizedTest
    @MethodSource("models")
    void matchesTransformers(Path dir) {
        PtxBackend backend = PtxTesting.backend();
        try (Checkpoint ckpt = Checkpoint.open(dir); SafetensorsFile golden = SafetensorsFile.open(dir.resolve("golden.safetensors"))) {
            MoeModel model = ModelLoader.load(ckpt, backend);
            ForwardResult r = model.forward(golden.ints("input_ids"), MoeModel.Probes.ALL);
            Worst worst = new Worst();
            worst.logits = PtxTesting.assertClose("logits", golden.floats("logits").toArray(), r.logits(), 1e-3);
            worst.loss = Math.abs(golden.floats("ce_loss").get(0) - r.loss());
            assertEquals(golden.floats("ce_loss").get(0), r.loss(), 1e-4, "cross-entropy loss");
            // the loss-only pass (no probes, no logits download, intermediates closed as it goes) agrees
            assertEquals(golden.floats("ce_loss").get(0), model.loss(golden.ints("input_ids")), 1e-4, "loss-only pass");
            assertEquals(r.loss(), model.loss(golden.ints("input_ids")), 1e-6, "loss-only pass against forward");
            int L = model.config().numLayers();
            assertEquals(L + 1, r.hidden().size());
            for (int i = 0; i <= L; i++) {
                worst.hidden = Math.max(worst.hidden,
                        PtxTesting.assertClose("hidden." + i, golden.floats("hidden." + i).toArray(), r.hidden().get(i), 1e-3));
            }
            for (int l = 0; l < L; l++) {
                float[] want = golden.floats("attn." + l).toArray(), got = r.attention().get(l);
                PtxTesting.assertWithin("attn." + l, want, got, 2e-4);
                for (int i = 0; i < want.length; i++) worst.attention = Math.max(worst.attention, Math.abs(want[i] - got[i]));
            }
            checkRouting(golden, model, r, worst);
            System.out.printf("PTX conformance %-22s logits %.2e, hidden %.2e (of max |value|), loss %.2e, attention %.2e, "
                    + "top-k weights %.2e%n", dir.getFileName(), worst.logits, worst.hidden, worst.loss, worst.attention, worst.weights);
        }
    }

    private static void checkRouting(SafetensorsFile golden, MoeModel model, ForwardResult r, Worst worst) {
        assertEquals(model.config().moeLayerCount(), r.moe().size());
        for (MoeTrace tr : r.moe()) {
            String p = "cap.model.layers." + tr.layer() + ".mlp.";
            RouterDecision d = tr.decision();
            PtxTesting.assertClose(p + "gate.in.0", golden.floats(p + "gate.in.0").toArray(), tr.routerInput(), 1e-3);
            PtxTesting.assertClose(p + "gate.out.0 (router logits)", golden.floats(p + "gate.out.0").toArray(), d.logits(), 1e-3);
            int[] wantIdx = golden.ints(p + "gate.out.2");
            float[] wantW = golden.floats(p + "gate.out.1").toArray();
            int k = d.k();
            assertEquals(wantIdx.length, d.topkIndex().length, "top-k shape");
            for (int t = 0; t < d.tokens(); t++) {
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
                    assertEquals(want.get(e), got, 1e-4, p + " weight of expert " + e + " for token " + t);
                    worst.weights = Math.max(worst.weights, Math.abs(want.get(e) - got));
                }
            }
            if (golden.info(p + "out") != null) {
                PtxTesting.assertClose(p + "out", golden.floats(p + "out").toArray(), tr.output(), 1e-3);
            }
        }
        if (golden.info("aux_loss") != null) assertEquals(golden.floats("aux_loss").get(0), r.auxLoss(), 1e-4, "aux loss");
    }
}
