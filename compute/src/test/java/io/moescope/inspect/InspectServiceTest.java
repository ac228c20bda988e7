package io.moescope.inspect;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moescope.checkpoint.CheckpointException;
import io.moescope.checkpoint.DType;
import io.moescope.checkpoint.SafetensorsFile;
import io.moescope.checkpoint.TensorData;
import io.moescope.testing.Conformance;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
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
    void refusesEmptyInputAndGradientsWithClearMessages() {
        Path dir = Conformance.model("mixtral-a");
        var empty = assertThrows(CheckpointException.class, () -> InspectService.inspect(dir, new int[0], false));
        assertTrue(empty.getMessage().contains("empty input"), empty.getMessage());
        var grads = assertThrows(CheckpointException.class, () -> InspectService.inspect(dir, new int[]{1, 2}, true));
        assertTrue(grads.getMessage().contains("--grads is not available yet"), grads.getMessage());
    }

    @Test
    void oneTokenHasNoNextTokenLoss() {
        Map<String, TensorData> t = byName(InspectService.inspect(Conformance.model("olmoe-a"), new int[]{3}, false));
        assertTrue(Float.isNaN(t.get("loss").floats()[0]));
        assertEquals(1.0f, t.get("attn.0").floats()[0], 1e-6, "a lone token attends to itself");
    }
}
