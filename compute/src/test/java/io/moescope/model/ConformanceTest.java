package io.moescope.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moescope.checkpoint.Checkpoint;
import io.moescope.checkpoint.SafetensorsFile;
import io.moescope.testing.Conformance;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Our forward pass against HF transformers' outputs, with the tolerances of the conformance README. */
class ConformanceTest {

    record Run(ForwardResult result, SafetensorsFile golden, MoeModel model) {}

    static java.util.stream.Stream<Path> models() {
        return Conformance.allModels();
    }

    private static Run run(Path dir) {
        Checkpoint ckpt = Checkpoint.open(dir);
        MoeModel model = ModelLoader.load(ckpt, new io.moescope.backend.java.JavaBackend());
        SafetensorsFile golden = SafetensorsFile.open(dir.resolve("golden.safetensors"));
        int[] ids = golden.ints("input_ids");
        return new Run(model.forward(ids, MoeModel.Probes.ALL), golden, model);
    }

    @ParameterizedTest
    @MethodSource("models")
    void logitsAndLossMatchTransformers(Path name) {
        Run r = run(name);
        assertClose("logits", r.golden.floats("logits").toArray(), r.result.logits(), 1e-3);
        assertEquals(r.golden.floats("ce_loss").get(0), r.result.loss(), 1e-4, "cross-entropy loss");
    }

    @ParameterizedTest
    @MethodSource("models")
    void hiddenStatesAndAttentionMatchTransformers(Path name) {
        Run r = run(name);
        int L = r.model.config().numLayers();
        assertEquals(L + 1, r.result.hidden().size());
        for (int i = 0; i <= L; i++) {
            assertClose("hidden." + i, r.golden.floats("hidden." + i).toArray(), r.result.hidden().get(i), 1e-3);
        }
        for (int l = 0; l < L; l++) {
            float[] want = r.golden.floats("attn." + l).toArray();
            float[] got = r.result.attention().get(l);
            assertEquals(want.length, got.length, "attn." + l + " size");
            for (int i = 0; i < want.length; i++) {
                assertEquals(want[i], got[i], 2e-4, "attn." + l + " at flat index " + i);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("models")
    void routingMatchesTransformers(Path name) {
        Run r = run(name);
        assertEquals(r.model.config().moeLayerCount(), r.result.moe().size());
        for (MoeTrace tr : r.result.moe()) {
            String p = "cap.model.layers." + tr.layer() + ".mlp.";
            RouterDecision d = tr.decision();
            assertClose(p + "gate.in.0", r.golden.floats(p + "gate.in.0").toArray(), tr.routerInput(), 1e-3);
            assertClose(p + "gate.out.0 (router logits)", r.golden.floats(p + "gate.out.0").toArray(), d.logits(), 1e-3);
            int[] wantIdx = r.golden.ints(p + "gate.out.2");
            float[] wantW = r.golden.floats(p + "gate.out.1").toArray();
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
                    assertEquals(want.get(e), d.topkWeight()[t * k + j], 1e-4, p + " weight of expert " + e + " for token " + t);
                }
            }
            if (r.golden.info(p + "out") != null) {
                assertClose(p + "out", r.golden.floats(p + "out").toArray(), tr.output(), 1e-3);
            }
        }
        if (r.golden.info("aux_loss") != null) {
            assertEquals(r.golden.floats("aux_loss").get(0), r.result.auxLoss(), 1e-4, "aux loss");
        }
    }

    /** Max abs difference within rel * max |want|, the README's rule for logits. */
    static void assertClose(String what, float[] want, float[] got, double rel) {
        assertEquals(want.length, got.length, what + " size");
        double max = 0, diff = 0;
        int worst = -1;
        for (int i = 0; i < want.length; i++) {
            max = Math.max(max, Math.abs(want[i]));
            double d = Math.abs(want[i] - got[i]);
            if (!(d <= diff)) {
                diff = d;
                worst = i;
            }
        }
        assertTrue(diff <= rel * Math.max(max, 1e-6),
                what + ": max |diff| " + diff + " at " + worst + " exceeds " + rel + " x " + max);
    }
}
