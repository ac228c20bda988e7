package io.moescope.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The benchmark's output, not its speed: no assertion here depends on how fast the machine is. */
class BenchCommandTest {
    private static final Path CONFIG = Path.of("../sample-models/configs/mixtral-bench.json");

    @Test
    void jsonHasEveryFigure() throws IOException {
        Cli r = bench("--seq", "32", "--runs", "2", "--warmup", "1", "--max-warmup", "1", "--threads", "2", "--json");
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals("mixtral-bench", j.get("config").asText());
        assertEquals("java", j.get("backend").asText());
        assertTrue(j.get("device").asText().startsWith("CPU"), r::toString);
        assertEquals(2, j.get("threads").asInt());
        assertEquals(32, j.get("seq").asInt());
        assertEquals("fwd", j.get("mode").asText());
        assertEquals(2, j.get("runs").asInt());
        assertEquals(2, j.get("run_ms").size());
        assertEquals(1, j.get("warmup").asInt(), "--max-warmup equal to --warmup runs exactly that many");
        assertTrue(j.get("jit_settled").isBoolean(), r::toString);
        // Linux (CI and the GPU machine) has /proc/self/stat; two passes take some faults at least.
        assertTrue(j.get("page_faults_per_pass").isNumber() && j.get("page_faults_per_pass").asDouble() >= 0, r::toString);
        for (String f : new String[] {"median_ms", "min_ms", "max_ms", "tokens_per_s", "peak_heap_bytes"}) {
            assertTrue(j.get(f).isNumber() && j.get(f).asDouble() > 0, f + " in " + r.out());
        }
        assertTrue(j.get("min_ms").asDouble() <= j.get("median_ms").asDouble());
        assertTrue(j.get("median_ms").asDouble() <= j.get("max_ms").asDouble());
    }

    @Test
    void textAndProfile() {
        Cli r = bench("--seq", "16", "--runs", "1", "--warmup", "0", "--max-warmup", "0", "--threads", "1", "--profile");
        assertTrue(r.out().contains("tokens/s"), r::toString);
        assertTrue(r.err().startsWith("operation"), r::toString);
        assertTrue(r.err().contains("\nexperts "), r::toString);
    }

    @Test
    void forwardAndBackward() throws IOException {
        Cli r = bench("--seq", "8", "--runs", "1", "--warmup", "0", "--max-warmup", "0", "--threads", "2", "--mode", "fwdbwd", "--json");
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals("fwdbwd", j.get("mode").asText());
        assertTrue(j.get("median_ms").asDouble() > 0, r::toString);
    }

    @Test
    void warmUpGoesOnUntilTheJitIsQuiet() throws IOException {
        Cli r = bench("--seq", "8", "--runs", "1", "--warmup", "1", "--max-warmup", "30", "--threads", "1", "--json");
        JsonNode j = new ObjectMapper().readTree(r.out());
        int passes = j.get("warmup").asInt();
        // Settled means three quiet passes after the first; otherwise the cap was reached.
        if (j.get("jit_settled").asBoolean()) assertTrue(passes >= 4 && passes <= 30, r::toString);
        else assertEquals(30, passes, r::toString);
    }

    @Test
    void badInputIsOneLineAndExitTwo(@TempDir Path dir) {
        CliTest.assertOneLineFailure(Cli.run("bench", "--config", dir.resolve("none.json").toString(), "--seq", "8"), 2);
        CliTest.assertOneLineFailure(Cli.run("bench", "--config", CONFIG.toString(), "--seq", "0"), 2);
        CliTest.assertOneLineFailure(Cli.run("bench", "--config", CONFIG.toString(), "--seq", "8", "--mode", "bwd"), 2);
        CliTest.assertOneLineFailure(Cli.run("bench", "--config", CONFIG.toString(), "--seq", "8", "--backend", "nope"), 2);
        CliTest.assertOneLineFailure(Cli.run("bench", "--config", CONFIG.toString(), "--seq", "8", "--threads", "0"), 2);
        CliTest.assertOneLineFailure(Cli.run("bench", "--config", CONFIG.toString(), "--seq", "8", "--warmup", "3", "--max-warmup", "2"), 2);
    }

    /** A bench run of the sample config on the java backend, which must succeed. */
    private static Cli bench(String... args) {
        List<String> all = new ArrayList<>(List.of("bench", "--config", CONFIG.toString(), "--backend", "java"));
        all.addAll(List.of(args));
        Cli r = Cli.run(all.toArray(String[]::new));
        assertEquals(0, r.exitCode(), r::toString);
        return r;
    }
}
