package io.moescope.grad;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moescope.backend.java.JavaBackend;
import io.moescope.checkpoint.Checkpoint;
import io.moescope.checkpoint.SafetensorsFile;
import io.moescope.model.ForwardResult;
import io.moescope.model.ModelLoader;
import io.moescope.model.MoeModel;
import io.moescope.model.Tape;
import io.moescope.testing.Conformance;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The model-level contract of Backprop: its forward is the model's, and gradients accumulate and combine linearly. */
class BackpropTest {

    static Stream<Path> models() {
        return Conformance.allModels();
    }

    /** The recording forward (a tape kept for backward) gives the logits and loss of inference. */
    @ParameterizedTest
    @MethodSource("models")
    void recordingForwardIsTheModelsForward(Path dir) {
        try (Checkpoint ckpt = Checkpoint.open(dir);
             SafetensorsFile golden = SafetensorsFile.open(dir.resolve("golden.safetensors"));
             JavaBackend backend = new JavaBackend();
             Tape tape = new Tape()) {
            MoeModel model = ModelLoader.load(ckpt, backend);
            int[] ids = golden.ints("input_ids");
            ForwardResult want = model.forward(ids, MoeModel.Probes.NONE);
            MoeModel.Pass pass = model.forward(ids, tape);
            // To the bit: the java backend's reductions run in a fixed order, and both passes make the same calls.
            assertArrayEquals(want.logits(), backend.download(pass.logits()));
            assertEquals(want.loss(), backend.download(pass.loss())[0]);
        }
    }

    @Test
    void gradientsAccumulateAndCombineLinearly() {
        try (Checkpoint ckpt = Checkpoint.open(Conformance.model("qwen2moe-a")); JavaBackend backend = new JavaBackend()) {
            MoeModel model = ModelLoader.load(ckpt, backend);
            int[] ids = {5, 17, 42, 7, 99, 3, 250, 1};
            Gradients ce = Backprop.gradients(model, ids);
            Gradients twice = Gradients.zeros(model);
            Backprop.run(model, ids, twice, Backprop.Options.CROSS_ENTROPY);
            Backprop.Result r = Backprop.run(model, ids, twice, Backprop.Options.CROSS_ENTROPY);
            Gradients aux = Gradients.zeros(model);
            Backprop.run(model, ids, aux, new Backprop.Options(0f, 1.0));
            Gradients both = Gradients.zeros(model);
            Backprop.Result rb = Backprop.run(model, ids, both, Backprop.Options.withAuxLoss(model));
            double coef = model.config().routerAuxLossCoef();
            assertEquals(0.001, coef, "qwen2moe-a's router_aux_loss_coef");
            assertEquals(r.auxLoss(), rb.auxLoss());
            assertTrue(r.auxLoss() > 1, "E * sum f P is at least 1 for top-2 over any split, got " + r.auxLoss());
            for (String n : ce.names()) {
                float[] c = ce.download(n), t = twice.download(n), a = aux.download(n), b = both.download(n);
                for (int i = 0; i < c.length; i++) {
                    assertEquals(2 * c[i], t[i], 1e-6 * (1 + Math.abs(c[i])), n + " accumulates");
                    assertEquals(c[i] + coef * a[i], b[i], 1e-5 * (1 + Math.abs(b[i])), n + " = ce + coef * aux");
                }
            }
            // The router weights are where the load-balancing loss enters.
            assertTrue(aux.sumOfSquares("model.layers.0.mlp.gate.weight") > 0);
        }
    }

    /** Without the gradient flow the pass adds the very same gradients and reports the same loss, and no norms. */
    @Test
    void gradientsOnlyAddsTheSameGradientsAsTheFullPass() {
        try (Checkpoint ckpt = Checkpoint.open(Conformance.model("qwen2moe-a")); JavaBackend backend = new JavaBackend()) {
            MoeModel model = ModelLoader.load(ckpt, backend);
            int[] ids = {5, 17, 42, 7, 99, 3, 250, 1};
            Gradients full = Gradients.zeros(model), lean = Gradients.zeros(model);
            Backprop.Result rf = Backprop.run(model, ids, full, Backprop.Options.CROSS_ENTROPY);
            Backprop.Result rl = Backprop.run(model, ids, lean, Backprop.Options.GRADIENTS_ONLY);
            assertEquals(rf.loss(), rl.loss());
            assertEquals(model.forward(ids, MoeModel.Probes.NONE).loss(), rl.loss(), 1e-5);
            assertTrue(rf.residualGradNorms() != null && rf.expertTokens() != null && !Double.isNaN(rf.auxLoss()));
            assertNull(rl.residualGradNorms());
            assertNull(rl.expertTokens());
            assertTrue(Double.isNaN(rl.auxLoss()));
            for (String n : full.names()) {
                float[] f = full.download(n), l = lean.download(n);
                for (int i = 0; i < f.length; i++) assertEquals(f[i], l[i], 1e-6 * (1 + Math.abs(f[i])), n);
            }
        }
    }

    @Test
    void oneTokenHasNoLossAndNoGradient() {
        try (Checkpoint ckpt = Checkpoint.open(Conformance.model("mixtral-a")); JavaBackend backend = new JavaBackend()) {
            MoeModel model = ModelLoader.load(ckpt, backend);
            Gradients g = Gradients.zeros(model);
            Backprop.Result r = Backprop.run(model, new int[]{7}, g, Backprop.Options.CROSS_ENTROPY);
            assertTrue(Double.isNaN(r.loss()));
            assertEquals(0.0, g.globalNorm());
        }
    }

    @Test
    void refusesIdsOutsideTheVocabularyAsTheForwardPassDoes() {
        try (Checkpoint ckpt = Checkpoint.open(Conformance.model("mixtral-a")); JavaBackend backend = new JavaBackend()) {
            MoeModel model = ModelLoader.load(ckpt, backend);
            var e = assertThrows(IllegalArgumentException.class, () -> Backprop.gradients(model, new int[]{1, 384}));
            assertEquals("token id 384 at position 1 is outside the vocabulary (0..383)", e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> Backprop.gradients(model, new int[0]));
        }
    }

    @Test
    void thePaddingTokensEmbeddingRowIsFrozenAsTransformersFreezesIt() {
        try (Checkpoint ckpt = Checkpoint.open(Conformance.model("olmoe-a")); JavaBackend backend = new JavaBackend()) {
            MoeModel model = ModelLoader.load(ckpt, backend);
            assertEquals(1, model.config().padTokenId());
            int D = model.config().hiddenSize();
            float[] e = Backprop.gradients(model, new int[]{5, 1, 42, 1, 7}).download("model.embed_tokens.weight");
            for (int i = 0; i < D; i++) assertEquals(0f, e[D + i], "pad row");
            assertTrue(e[5 * D] != 0 && e[42 * D] != 0, "other rows do get gradients");
            // A tied head still gives the pad row its share (transformers masks the lookup only).
            try (Checkpoint tied = Checkpoint.open(Conformance.extraModel("olmoe-clip-tied"))) {
                MoeModel t = ModelLoader.load(tied, backend);
                assertEquals(1, t.config().padTokenId());
                float[] te = Backprop.gradients(t, new int[]{5, 1, 42}).download("model.embed_tokens.weight");
                double row = 0;
                for (int i = 0; i < D; i++) row += Math.abs(te[D + i]);
                assertTrue(row > 0);
            }
        }
    }

    @Test
    void tiedEmbeddingsGetOneGradientHoldingBothUses() {
        Path dir = Conformance.extraModel("olmoe-clip-tied");
        try (Checkpoint ckpt = Checkpoint.open(dir); JavaBackend backend = new JavaBackend()) {
            MoeModel model = ModelLoader.load(ckpt, backend);
            assertTrue(model.config().tieWordEmbeddings());
            Gradients g = Backprop.gradients(model, new int[]{1, 2, 3, 4});
            assertTrue(g.get("lm_head.weight") == null, "no separate head");
            // Token 300 never occurs, so only the output projection gives its row a gradient.
            float[] e = g.download("model.embed_tokens.weight");
            int D = model.config().hiddenSize();
            double row = 0;
            for (int i = 0; i < D; i++) row += e[300 * D + i] * e[300 * D + i];
            assertTrue(row > 0, "the output head's share reaches the embedding gradient");
        }
    }
}
