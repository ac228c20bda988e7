package io.moescope.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.moescope.checkpoint.Checkpoint;
import io.moescope.checkpoint.DType;
import io.moescope.checkpoint.TensorInfo;
import io.moescope.testing.Conformance;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class TensorStatsTest {

    @Test
    void byHand() {
        TensorInfo info = new TensorInfo("w", DType.F32, new long[]{5}, null, 0, 20);
        TensorStats s = TensorStats.of("w", info, new float[]{1, 2, 3, 4, Float.NaN}, 3);
        assertEquals(5, s.count());
        assertEquals(1, s.nonFinite());
        assertEquals(1, s.min());
        assertEquals(4, s.max());
        assertEquals(2.5, s.mean(), 1e-12);
        assertEquals(Math.sqrt(1.25), s.std(), 1e-12);   // deviations 1.5, 0.5, 0.5, 1.5
        // bins of width 1: [1,2) [2,3) [3,4], the maximum falling into the last
        assertEquals("[1, 1, 2]", Arrays.toString(s.histogram()));
    }

    @Test
    void checkpointTensor() {
        try (Checkpoint c = Checkpoint.open(Conformance.model("mixtral-a"))) {
            TensorStats s = TensorStats.of(c, "model.norm.weight", 10);
            assertEquals(64, s.count());
            assertEquals(64, Arrays.stream(s.histogram()).sum());
            float[] v = c.floats("model.norm.weight").toArray();
            double mean = 0;
            for (float x : v) mean += x / 64.0;
            assertEquals(mean, s.mean(), 1e-6);
        }
    }
}
