package io.moescope.analysis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingHistoryTest {

    @Test
    void readsStepsAndSumsGradientsPerLayer(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve(TrainingHistory.FILE_NAME), """
                {"step":10,"loss":7.5,"aux_loss":2.0,"lr":0.001,"grad_norm":1.5,"expert_load":{"0":[3,1],"1":[2,2]},"router_entropy":{"0":0.6,"1":0.7},"grad_norms":{"embed_tokens":9,"layers.0.q":3,"layers.0.k":4,"layers.1.router":2}}
                {"step":20,"loss":6.5
                {"step":30,"loss":6.0}
                """);
        TrainingHistory h = TrainingHistory.of(dir).orElseThrow();
        assertEquals(2, h.steps().size(), "the cut line is skipped");
        TrainingHistory.Step s = h.steps().getFirst();
        assertEquals(10, s.step());
        assertEquals(7.5, s.loss());
        assertArrayEquals(new long[]{3, 1}, s.expertLoad().get(0));
        assertEquals(0.7, s.routerEntropy().get(1));
        assertEquals(5.0, s.layerGradNorms().get(0), 1e-12);   // sqrt(3^2 + 4^2)
        assertEquals(2.0, s.layerGradNorms().get(1), 1e-12);
        assertTrue(h.steps().get(1).expertLoad().isEmpty());
    }

    @Test
    void noLogNoHistory(@TempDir Path dir) throws IOException {
        assertTrue(TrainingHistory.of(dir).isEmpty());
    }
}
