package io.moescope.inspect;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moescope.checkpoint.Checkpoint;
import io.moescope.files.CheckpointException;
import io.moescope.checkpoint.DType;
import io.moescope.checkpoint.SafetensorsFile;
import io.moescope.checkpoint.TensorData;
import io.moescope.grad.GoldenGradients;
import io.moescope.model.Architecture;
import io.moescope.testing.Conformance;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class InspectServiceTest {

    private static Map<String, TensorData> byName(List<TensorData> list) {
        return list.stream().collect(Collectors.toMap(TensorData::name, Function.identity()));
    }

    @Test
    void writesTheContractTensorsWithTheirShapes() {
        Path dir = Conformance.model("deepseekv3-a");   // 3 layers, first dense: routers only for layers 1 and 2
        Map<String, TensorData> t = byName(InspectService.inspect(dir, new int[]{5, 17, 42, 7}, false));
        assertArrayEquals(new long[]{4, 384}, t.get("logits").shape());
        assertArrayEquals(new long[]{1}, t.get("loss").shape());
        for (int i = 0; i <= 3; i++) assertArrayEquals(new long[]{4, 64}, t.get("hidden." + i).shape(), "hidden." + i);
        for (int l = 0; l < 3; l++) assertArrayEquals(new long[]{4, 4, 4}, t.get("attn." + l).shape(), "attn." + l);
        assertTrue(!t.containsKey("router.0.logits"), "layer 0 is dense and has no router");
        for (int l = 1; l <= 2; l++) {
            assertArrayEquals(new long[]{4, 16}, t.get("router." + l + ".logits").shape());
            assertEquals(DType.I32, t.get("router." + l + ".topk_idx").dtype());
            assertArrayEquals(new long[]{4, 4}, t.get("router." + l + ".topk_idx").shape());
            assertArrayEquals(new long[]{4, 4}, t.get("router." + l + ".topk_weight").shape());
        }
        assertEquals(2 + 4 + 3 + 2 * 3, t.size(), "no tensor beyond the contract");
    }

    @Test
    void matchesTheGoldenLogitsAndLoss() {
        Path dir = Conformance.model("qwen2moe-a");
        try (SafetensorsFile golden = SafetensorsFile.open(dir.resolve("golden.safetensors"))) {
            int[] ids = golden.ints("input_ids");
            Map<String, TensorData> t = byName(InspectService.inspect(dir, ids, false));
            float[] want = golden.floats("logits").toArray();
            float[] got = t.get("logits").floats();
            float max = 0, diff = 0;
            for (int i = 0; i < want.length; i++) {
                max = Math.max(max, Math.abs(want[i]));
                diff = Math.max(diff, Math.abs(want[i] - got[i]));
            }
            assertTrue(diff <= 1e-3 * max, "logit error " + diff);
            assertEquals(golden.floats("ce_loss").get(0), t.get("loss").floats()[0], 1e-4);
        }
    }

    @Test
    void refusesTokenIdsOutsideTheVocabulary() {
        Path dir = Conformance.model("mixtral-a");
        var e = assertThrows(CheckpointException.class, () -> InspectService.inspect(dir, new int[]{1, 384}, false));
        assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("token id 384 at position 1 is outside the vocabulary (0..383)"), e.getMessage());
        var neg = assertThrows(CheckpointException.class, () -> InspectService.inspect(dir, new int[]{-1}, false));
        assertTrue(neg.getMessage().contains("token id -1"), neg.getMessage());
    }

    @Test
    void refusesEmptyInputWithAClearMessage() {
        Path dir = Conformance.model("mixtral-a");
        var empty = assertThrows(CheckpointException.class, () -> InspectService.inspect(dir, new int[0], false));
        assertTrue(empty.getMessage().contains("empty input"), empty.getMessage());
        var emptyWithGrads = assertThrows(CheckpointException.class, () -> InspectService.inspect(dir, new int[0], true));
        assertTrue(emptyWithGrads.getMessage().contains("empty input"), emptyWithGrads.getMessage());
    }

    @Test
    void gradsCoverEveryTrainedTensorInItsCheckpointShapeAndMatchTheGolden() {
        Path dir = Conformance.model("deepseekv3-a");   // has a correction bias, which is a buffer and gets no gradient
        try (SafetensorsFile golden = SafetensorsFile.open(dir.resolve("golden.safetensors"));
             Checkpoint ckpt = Checkpoint.open(dir)) {
            Map<String, TensorData> t = byName(InspectService.inspect(dir, golden.ints("input_ids"), true));
            Map<String, float[]> want = GoldenGradients.byCheckpointName(golden, Architecture.DEEPSEEK_V3);
            Set<String> trained = new TreeSet<>(ckpt.tensorNames());
            trained.removeIf(n -> n.endsWith("e_score_correction_bias"));
            Set<String> grads = t.keySet().stream().filter(n -> n.startsWith("grad.")).map(n -> n.substring(5))
                    .collect(Collectors.toCollection(TreeSet::new));
            assertEquals(trained, grads);
            for (String n : trained) {
                TensorData g = t.get("grad." + n);
                assertEquals(DType.F32, g.dtype());
                assertArrayEquals(ckpt.info(n).shape(), g.shape(), n);
                float[] w = want.get(n);
                float max = 0, diff = 0;
                for (int i = 0; i < w.length; i++) {
                    max = Math.max(max, Math.abs(w[i]));
                    diff = Math.max(diff, Math.abs(w[i] - g.floats()[i]));
                }
                assertTrue(diff <= 2e-3 * max, n + ": gradient error " + diff + " of max " + max);
            }
            assertTrue(t.containsKey("logits") && t.containsKey("router.1.logits"), "the forward contract is still there");
        }
    }

    @Test
    void withoutGradsThereAreNoGradTensors() {
        Map<String, TensorData> t = byName(InspectService.inspect(Conformance.model("qwen3moe-a"), new int[]{1, 2, 3}, false));
        assertTrue(t.keySet().stream().noneMatch(n -> n.startsWith("grad.")));
    }

    @Test
    void oneTokenHasNoNextTokenLoss() {
        Map<String, TensorData> t = byName(InspectService.inspect(Conformance.model("olmoe-a"), new int[]{3}, false));
        assertTrue(Float.isNaN(t.get("loss").floats()[0]));
        assertEquals(1.0f, t.get("attn.0").floats()[0], 1e-6, "a lone token attends to itself");
    }
}
