package io.moescope.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moescope.backend.Tensor;
import io.moescope.backend.java.JavaBackend;
import io.moescope.checkpoint.Checkpoint;
import io.moescope.testing.Conformance;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class RandomModelTest {

    static java.util.stream.Stream<Path> models() {
        return Conformance.allModels();
    }

    /** The same parameters, by name and shape, as the loader builds from the checkpoint, and it runs. */
    @ParameterizedTest
    @MethodSource("models")
    void hasTheLoadersStructure(Path dir) {
        try (Checkpoint ckpt = Checkpoint.open(dir); JavaBackend b = new JavaBackend(2)) {
            MoeModel loaded = ModelLoader.load(ckpt, b);
            MoeModel random = RandomModel.create(loaded.config(), b, 1);
            assertEquals(shapes(loaded.parameters()), shapes(random.parameters()));
            assertEquals(loaded.layers().size(), random.layers().size());
            for (int i = 0; i < loaded.layers().size(); i++) {
                assertEquals(loaded.layers().get(i).isMoe(), random.layers().get(i).isMoe(), "layer " + i);
            }
            ForwardResult r = random.forward(new int[]{1, 2, 3, 4, 5}, MoeModel.Probes.NONE);
            for (float v : r.logits()) assertTrue(Float.isFinite(v));
            assertEquals(r.loss(), random.loss(new int[]{1, 2, 3, 4, 5}), 1e-6, "loss-only pass");
        }
    }

    private static Map<String, String> shapes(Map<String, Tensor> params) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        params.forEach((name, t) -> out.put(name, Arrays.toString(t.shape())));
        return out;
    }

    @Test
    void weightsFollowTheSeedAndTheStd() {
        try (Checkpoint ckpt = Checkpoint.open(Conformance.model("mixtral-a")); JavaBackend b = new JavaBackend(1)) {
            ModelConfig cfg = ModelLoader.config(ckpt);
            String name = "model.embed_tokens.weight";
            float[] a = b.download(RandomModel.create(cfg, b, 7).parameters().get(name));
            float[] again = b.download(RandomModel.create(cfg, b, 7).parameters().get(name));
            float[] other = b.download(RandomModel.create(cfg, b, 8).parameters().get(name));
            assertArrayEquals(a, again);
            assertFalse(Arrays.equals(a, other));
            assertEquals(0.02, std(a), 0.002);
            assertEquals(0.5, std(b.download(RandomModel.create(cfg, b, 7, 0.5).parameters().get(name))), 0.05);
            float[] norm = b.download(RandomModel.create(cfg, b, 7).parameters().get("model.norm.weight"));
            for (float v : norm) assertEquals(1f, v);
        }
    }

    private static double std(float[] v) {
        double s = 0, s2 = 0;
        for (float x : v) {
            s += x;
            s2 += (double) x * x;
        }
        double mean = s / v.length;
        return Math.sqrt(s2 / v.length - mean * mean);
    }
}
