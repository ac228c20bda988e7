package io.moescope.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `moescope compare`: the report of the baseline with the variant's difference heatmaps and metrics. */
class CompareCommandTest {
    private static final String MODEL = Path.of("..", "sample-models", "kjv-deepseek-v3").toAbsolutePath().normalize().toString();
    private static final String TEXT = "In the beginning God created the heaven and the earth.";

    @Test
    void oneExpertPerToken(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("k1.html");
        Cli r = Cli.run("compare", "--model", MODEL, "--text", TEXT, "--k", "1", "--out", out.toString(), "--backend", "java", "--json");
        assertEquals(0, r.exitCode(), r::toString);
        String html = Files.readString(out, StandardCharsets.UTF_8);
        assertTrue(html.contains("id=\"compare-routing\"") && html.contains("id=\"compare-load\""), "difference heatmaps");
        assertTrue(html.contains("<caption>Variant k=1 against the baseline</caption>"), "metrics table");
        JsonNode n = new ObjectMapper().readTree(r.out().substring(0, r.out().indexOf("wrote ")));
        assertEquals("k=1", n.get("mechanism").get("label").asText());
        assertTrue(n.get("metrics").get("mean_kl").asDouble() > 0, "k=1 instead of 4 changes the predictions");
        assertEquals(1.0, n.get("metrics").get("mean_routing_flips").asDouble(), 1e-12, "a set of 1 never equals a set of 4");
    }

    @Test
    void badInputIsOneLineAndExitCode2(@TempDir Path dir) {
        Path out = dir.resolve("x.html");
        String[][] cases = {
                {"--weights", "int3"},
                {"--rule", "coin-flip"},
                {"--window", "4", "--stride", "5"},
                {},
        };
        String[] expect = {"--weights: unknown number format 'int3'", "--rule: unknown rule 'coin-flip'",
                "--window/--stride/--keep-top-k: window stride 5 exceeds window size 4", "nothing to compare"};
        for (int i = 0; i < cases.length; i++) {
            String[] args = new String[cases[i].length + 8];
            String[] head = {"compare", "--model", MODEL, "--text", TEXT, "--out", out.toString(), "--backend=java"};
            System.arraycopy(head, 0, args, 0, head.length);
            System.arraycopy(cases[i], 0, args, head.length, cases[i].length);
            Cli r = Cli.run(args);
            assertEquals(2, r.exitCode(), r::toString);
            assertEquals(1, r.errLines().length, r::toString);
            assertTrue(r.err().contains(expect[i]), "case " + i + ": " + r.err());
        }
        assertFalse(Files.exists(out));
    }
}
