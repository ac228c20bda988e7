package io.moescope.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Balance figures against values worked out by hand. */
class ExpertLoadTest {
    // 4 tokens, top-2, 4 experts: 8 assignments, mean 2 per expert.
    private final ExpertLoad load = new ExpertLoad(4, 2, new int[]{0}, 4, new long[][]{{4, 0, 2, 2}},
            new double[][]{{0.25, 0.25, 0.25, 0.25}}, 0, new double[]{0});

    @Test
    void coefficientOfVariation() {
        // deviations 2,-2,0,0: variance 8/4 = 2, std sqrt(2), over mean 2
        assertEquals(Math.sqrt(2) / 2, load.coefficientOfVariation(0), 1e-12);
    }

    @Test
    void maxOverMean() {
        assertEquals(2.0, load.maxOverMean(0), 1e-12);
    }

    @Test
    void capacityDrops() {
        assertEquals(2, ExpertLoad.capacity(4, 2, 4, 1.0));   // ceil(1.0 * 4 * 2 / 4)
        assertEquals(2, load.dropped(0, 1.0));                // expert 0 holds 4, capacity 2
        assertEquals(3, ExpertLoad.capacity(4, 2, 4, 1.25));  // ceil(2.5)
        assertEquals(1, load.dropped(1.25));
        assertEquals(0, load.dropped(2.0));
    }

    @Test
    void evenLoadHasNoVariation() {
        ExpertLoad even = new ExpertLoad(2, 1, new int[]{0}, 4, new long[][]{{2, 2}}, new double[][]{{0.5, 0.5}}, 1, new double[]{1});
        assertEquals(0, even.coefficientOfVariation(0), 1e-12);
        assertEquals(1, even.maxOverMean(0), 1e-12);
    }

    @Test
    void mergeAddsCountsAndWeighsProbabilitiesByTokens() {
        ExpertLoad a = new ExpertLoad(2, 1, new int[]{3}, 2, new long[][]{{2, 0}}, new double[][]{{0.9, 0.1}}, 0, new double[]{0});
        ExpertLoad b = new ExpertLoad(2, 1, new int[]{3}, 2, new long[][]{{0, 2}}, new double[][]{{0.3, 0.7}}, 0, new double[]{0});
        ExpertLoad m = ExpertLoad.merge(List.of(a, b));
        assertEquals(4, m.tokens());
        assertEquals(2, m.counts()[0][0]);
        assertEquals(2, m.counts()[0][1]);
        assertEquals(0.6, m.meanProb()[0][0], 1e-12);
        // E * (f0 P0 + f1 P1) = 2 * (0.5 * 0.6 + 0.5 * 0.4) = 1
        assertEquals(1.0, m.auxLoss(), 1e-12);
        assertEquals(1.0, m.auxLossPerLayer()[0], 1e-12);
    }
}
