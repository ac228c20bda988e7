package io.moescope.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moescope.analysis.ProgressListener;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SweepTest {

    @Test
    void aSweepOverKHasOnePointPerDefaultValueAndReportsProgress() {
        LabService lab = LabFixtures.lab("mixtral-a");
        List<int[]> chunks = LabService.chunks(LabFixtures.ids(50, 384, 2), 16);
        assertEquals(3, chunks.size(), "50 tokens in chunks of 16: the partial one left out");
        List<long[]> calls = new ArrayList<>();
        SweepResult r = lab.sweep(chunks, SweepKind.TOPK, List.of(), (done, total, msg) -> calls.add(new long[]{done, total}), () -> false);
        assertEquals(List.of(1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0), SweepCatalogue.defaultValues(SweepKind.TOPK, lab.model().config()));
        assertEquals(8, r.points().size());
        assertEquals(48, r.tokens());
        for (int i = 0; i < 8; i++) {
            SweepPoint p = r.points().get(i);
            assertEquals(i + 1, p.value());
            assertEquals(48, p.metrics().klPerToken().length);
            if (i + 1 == 2) {   // the model's own k
                assertEquals(0, p.metrics().meanKl(), 1e-12);
                assertEquals(0, p.metrics().meanRoutingFlips());
            } else {
                assertTrue(p.metrics().meanKl() > 0);
                assertEquals(1.0, p.metrics().meanRoutingFlips(), "a different k changes every token's set");
            }
        }
        long total = 3 * (1 + 8);
        long last = -1;
        for (long[] c : calls) {
            assertEquals(total, c[1]);
            assertTrue(c[0] >= last, "progress never goes back");
            last = c[0];
        }
        assertEquals(total, last);
    }

    /** One chunk: the sweep's point is the comparison's metrics. */
    @Test
    void aOneChunkSweepPointEqualsTheComparison() {
        LabService lab = LabFixtures.lab("olmoe-a");
        int[] ids = LabFixtures.ids(20, 384, 4);
        SweepResult r = lab.sweep(List.of(ids), SweepKind.CAPACITY, List.of(0.75), ProgressListener.NONE, () -> false);
        Comparison c = lab.compare(ids, LabFixtures.labels(ids), SweepCatalogue.mechanismFor(SweepKind.CAPACITY, 0.75, lab.model().config()),
                ProgressListener.NONE, () -> false);
        VariantMetrics s = r.points().getFirst().metrics(), m = c.metrics();
        // The sweep keeps no attention probabilities, and attention without them may differ in the last bits.
        assertEquals(m.meanKl(), s.meanKl(), 1e-6 * m.meanKl());
        assertEquals(m.totalDroppedSlots(), s.totalDroppedSlots());
        assertTrue(s.totalDroppedSlots() > 0);
        assertEquals(m.variantPerplexity(), s.variantPerplexity(), 1e-6 * m.variantPerplexity());
        assertEquals(m.loadCvAfter()[0], s.loadCvAfter()[0], 1e-12);
    }

    @Test
    void aSweepIsCancellable() {
        LabService lab = LabFixtures.lab("mixtral-a");
        List<int[]> chunks = LabService.chunks(LabFixtures.ids(64, 384, 2), 16);
        AtomicInteger forwards = new AtomicInteger();
        assertThrows(CancellationException.class, () -> lab.sweep(chunks, SweepKind.WINDOW, List.of(), (d, t, m) -> forwards.incrementAndGet(),
                () -> forwards.get() >= 6));
        assertThrows(CancellationException.class, () -> lab.compare(chunks.getFirst(), LabFixtures.labels(chunks.getFirst()),
                Mechanism.BASELINE, ProgressListener.NONE, () -> true));
    }

    @Test
    void everyKindMakesItsMechanism() {
        var cfg = LabFixtures.config("mixtral-a");
        assertEquals(3, SweepCatalogue.mechanismFor(SweepKind.TOPK, 3, cfg).routing().k());
        assertEquals(8, SweepCatalogue.mechanismFor(SweepKind.WINDOW, 8, cfg).attention().window());
        assertEquals(4, SweepCatalogue.mechanismFor(SweepKind.SPARSITY, 4, cfg).attention().keepTopK());
        assertEquals(1.5, SweepCatalogue.mechanismFor(SweepKind.CAPACITY, 1.5, cfg).routing().capacityFactor());
        assertEquals(NumberFormat.INT8_CHANNEL, SweepCatalogue.mechanismFor(SweepKind.PRECISION, NumberFormat.INT8_CHANNEL.ordinal(), cfg).precision().weights());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SweepCatalogue.mechanismFor(SweepKind.TOPK, 9, cfg));
        assertTrue(e.getMessage().contains("exceeds the 8 experts"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SweepCatalogue.mechanismFor(SweepKind.WINDOW, 2.5, cfg));
        assertThrows(IllegalArgumentException.class, () -> SweepCatalogue.mechanismFor(SweepKind.CAPACITY, -1, cfg));
        assertThrows(IllegalArgumentException.class, () -> SweepCatalogue.mechanismFor(SweepKind.PRECISION, 8, cfg));
    }

    @Test
    void chunksAreFullOrTheWholeShortText() {
        assertEquals(1, LabService.chunks(new int[10], 16).size());
        assertEquals(10, LabService.chunks(new int[10], 16).getFirst().length);
        assertEquals(5, LabService.chunks(new int[165], 32).size());
        assertThrows(IllegalArgumentException.class, () -> LabService.chunks(new int[10], 0));
    }
}
