package io.moescope.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.moescope.testing.Conformance;
import org.junit.jupiter.api.Test;

class AnalysisJsonTest {

    @Test
    void numbersRoundTrip() throws Exception {
        try (LoadedModel m = LoadedModel.open(Conformance.model("olmoe-a"), "java")) {
            Analysis a = m.analyse("abc");
            JsonNode j = new ObjectMapper().readTree(AnalysisJson.toPrettyString(a));
            assertEquals("olmoe", j.get("model_type").asText());
            assertEquals(3, j.get("ids").size());
            assertEquals(a.load().counts()[0][0], j.at("/load/counts/0/0").asLong());
            assertEquals(a.load().auxLoss(), j.at("/load/aux_loss").asDouble(), 1e-12);
            assertEquals(a.load().dropped(1.0), j.at("/load/dropped_at_capacity_factor/1.0").asLong());
            assertEquals(a.routing().size(), j.get("routing").size());
            assertTrue(j.get("attention_entropy").get(0).get(0).isNumber());
        }
    }

    @Test
    void oneTokenHasNoLossAndSaysNull() throws Exception {
        try (LoadedModel m = LoadedModel.open(Conformance.model("mixtral-a"), "java")) {
            JsonNode j = new ObjectMapper().readTree(AnalysisJson.toPrettyString(m.analyse("7")));
            assertTrue(j.get("loss").isNull());
        }
    }
}
