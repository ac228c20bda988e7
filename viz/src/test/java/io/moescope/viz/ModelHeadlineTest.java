package io.moescope.viz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moescope.testing.Conformance;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The window's model header, checked without starting JavaFX. */
class ModelHeadlineTest {
    private static final Path CONFORMANCE = Conformance.dir();

    @Test
    void mixtral() {
        ModelHeadline h = ModelHeadline.read(CONFORMANCE.resolve("mixtral-a"));
        assertNull(h.problem());
        assertEquals("mixtral", h.modelType());
        assertEquals(2, h.layers());
        assertEquals(8, h.routedExperts());
        assertEquals(2, h.expertsPerToken());
        assertEquals(0, h.sharedExperts());
        assertEquals("mixtral-a", h.title());
        assertTrue(h.lines().contains("Routed experts: 8, top-2 per token"), h.lines().toString());
    }

    @Test
    void deepSeekCountsSharedExpertsAndDenseLayers() {
        ModelHeadline h = ModelHeadline.read(CONFORMANCE.resolve("deepseekv3-a"));
        assertEquals("deepseek_v3", h.modelType());
        assertEquals(16, h.routedExperts());
        assertEquals(1, h.sharedExperts());
        assertEquals(1, h.denseLayers());
    }

    @Test
    void qwen2MoeHasOneSharedExpert() {
        ModelHeadline h = ModelHeadline.read(CONFORMANCE.resolve("qwen2moe-a"));
        assertEquals("qwen2_moe", h.modelType());
        assertEquals(1, h.sharedExperts());
        assertTrue(h.routedExperts() > 0);
    }

    @Test
    void noModelGivesAHint() {
        ModelHeadline h = ModelHeadline.read(null);
        assertEquals("no model loaded", h.title());
        assertTrue(h.lines().get(0).contains("--model"), h.lines().toString());
    }

    @Test
    void unreadableConfigIsShownNotThrown(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("config.json"), "{ broken");
        ModelHeadline h = ModelHeadline.read(dir);
        assertNotNull(h.problem());
        assertTrue(h.lines().stream().anyMatch(l -> l.startsWith("Cannot read this model")), h.lines().toString());
    }

    @Test
    void missingConfigIsShownNotThrown(@TempDir Path dir) {
        ModelHeadline h = ModelHeadline.read(dir);
        assertTrue(h.problem().contains("config.json"), h.problem());
    }
}
