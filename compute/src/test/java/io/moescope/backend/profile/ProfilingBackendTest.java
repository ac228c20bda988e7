package io.moescope.backend.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moescope.backend.java.JavaBackend;
import io.moescope.checkpoint.Checkpoint;
import io.moescope.model.ForwardResult;
import io.moescope.model.ModelConfig;
import io.moescope.model.ModelLoader;
import io.moescope.model.MoeModel;
import io.moescope.testing.Conformance;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProfilingBackendTest {
    private static final int[] IDS = {1, 5, 9, 42, 7, 3, 100, 11};

    @Test
    void recordsEveryOperationOfAForwardPassAndChangesNoResult() {
        try (Checkpoint ckpt = Checkpoint.open(Conformance.model("mixtral-a"));
             JavaBackend plain = new JavaBackend(2);
             JavaBackend inner = new JavaBackend(2)) {
            ForwardResult want = ModelLoader.load(ckpt, plain).forward(IDS, MoeModel.Probes.ALL);

            Profiler profiler = new Profiler();
            MoeModel model = ModelLoader.load(ckpt, new ProfilingBackend(inner, profiler));
            Profile loaded = profiler.snapshot();
            profiler.reset();
            ForwardResult got = model.forward(IDS, MoeModel.Probes.ALL);
            Profile p = profiler.snapshot();

            // The wrapper hands values through untouched, but two runs of the CPU backend itself may
            // differ in the last bit: the Vector API's reductions and exp round differently once
            // the JIT has compiled them. So: equal to float precision, not bit for bit.
            assertEquals(want.logits().length, got.logits().length);
            for (int i = 0; i < want.logits().length; i++) {
                assertEquals(want.logits()[i], got.logits()[i], 1e-5 * Math.max(1, Math.abs(want.logits()[i])), "logit " + i);
            }
            assertEquals(want.loss(), got.loss(), 1e-6);

            // Loading: one upload per checkpoint tensor, counted as bytes going to the device.
            assertEquals(ckpt.tensorNames().size(), loaded.op("upload").calls());
            assertTrue(loaded.uploadBytes() > 0);

            ModelConfig c = model.config();
            int L = c.numLayers();
            // Per layer: q, k, v, o and the router; then the output head.
            assertCalls(p, "linear", 5L * L + 1);
            assertCalls(p, "rmsNorm", 2L * L + 1);
            assertCalls(p, "rope", 2L * L);
            assertCalls(p, "attention", L);
            assertCalls(p, "route", L);
            assertCalls(p, "experts", L);
            assertCalls(p, "addInPlace", 2L * L);   // the residual sums, into tensors the pass owns
            assertCalls(p, "embedding", 1);
            assertCalls(p, "uploadInts", 1);
            assertCalls(p, "nextTokenLoss", 1);
            assertTrue(p.op("download").calls() > 0);
            assertTrue(p.downloadBytes() >= 4L * got.logits().length, "the logits came back");

            assertTrue(p.totalNanos() > 0);
            for (OpStats s : p.ops()) {
                assertTrue(s.totalNanos() >= 0, s.toString());
                if (!s.op().equals("reshape")) assertTrue(s.bytes() > 0, s.toString());
            }
            // linear moves its input, weight and output: at least the weights of q, k, v, o, router and head.
            assertTrue(p.op("linear").bytes() > 4L * c.vocabSize() * c.hiddenSize());
        }
    }

    private static void assertCalls(Profile p, String op, long calls) {
        OpStats s = p.op(op);
        assertNotNull(s, op + " not recorded in\n" + p.table());
        assertEquals(calls, s.calls(), op);
    }

    @Test
    void theTableListsTheSlowestFirst() {
        Profile p = new Profile(List.of(new OpStats("fast", 3, 1_000, 12), new OpStats("slow", 1, 5_000_000, 400),
                new OpStats("middle", 2, 2_000_000, 8)), 100, 50);
        assertEquals(List.of("slow", "middle", "fast"), p.ops().stream().map(OpStats::op).toList());
        String[] lines = p.table().split("\n");
        assertTrue(lines[0].startsWith("operation"), lines[0]);
        assertTrue(lines[1].startsWith("slow"), lines[1]);
        assertTrue(lines[2].startsWith("middle"), lines[2]);
        assertTrue(lines[3].startsWith("fast"), lines[3]);
        assertTrue(lines[4].startsWith("total"), lines[4]);
        assertEquals(7.001, p.totalMs(), 1e-9);
        assertEquals(5.0, p.op("slow").meanMs(), 1e-9);
        assertEquals(1.0, p.op("middle").meanMs(), 1e-9);
    }
}
