package io.moescope.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moescope.testing.Conformance;
import org.junit.jupiter.api.Test;

class TokenJourneyTest {

    @Test
    void stepsFollowTheLayers() {
        try (LoadedModel m = LoadedModel.open(Conformance.model("deepseekv3-a"), "java")) {
            Analysis a = m.analyse("abcd");
            TokenJourney j = TokenJourney.of(a, 2, m::tokenText);
            // embedding, then per layer attention (+ router for MoE layers), then output
            int want = 1 + a.layers() + a.routing().size() + 1;
            assertEquals(want, j.steps().size());
            assertEquals("Embedding", j.steps().getFirst().title());
            assertEquals("Output", j.steps().getLast().title());
            assertTrue(j.steps().get(1).title().contains("attention"));
            assertTrue(j.steps().stream().anyMatch(s -> s.title().equals("Layer 1: router and experts")));
            // the router step names the experts the analysis chose
            LayerRouting r = a.routing().getFirst();
            String first = j.steps().stream().filter(s -> s.title().equals("Layer 1: router and experts")).findFirst().get().facts().getFirst();
            assertTrue(first.startsWith("expert " + r.topkIndex()[2 * r.k()]), first);
            assertThrows(IllegalArgumentException.class, () -> TokenJourney.of(a, 4, m::tokenText));
        }
    }
}
