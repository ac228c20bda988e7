package io.moescope.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.moescope.testing.Conformance;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CliTest {
    private static final Path CONFORMANCE = Conformance.dir();
    private static final Path KJV = CONFORMANCE.resolve("tokenizer-kjv");
    private static final Path MIXTRAL = CONFORMANCE.resolve("mixtral-a");

    @Test
    void helpListsTheCommands() {
        Cli r = Cli.run("--help");
        assertEquals(0, r.exitCode(), r::toString);
        for (String command : new String[] {"info", "inspect", "tokenize", "gui", "report", "bench-ui"}) {
            assertTrue(r.out().contains("\n  " + command + " "), command + " missing from\n" + r.out());
        }
    }

    @Test
    void everyCommandHasHelp() {
        for (String command : new String[] {"info", "inspect", "tokenize", "gui", "report", "bench-ui"}) {
            Cli r = Cli.run(command, "--help");
            assertEquals(0, r.exitCode(), r::toString);
            assertTrue(r.out().startsWith("Usage: moescope " + command), r::toString);
        }
    }

    @Test
    void versionNamesTheProjectVersion() {
        Cli r = Cli.run("--version");
        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(r.out().matches("(?s)moescope \\d+\\.\\d+\\.\\d+.*"), r::toString);
    }

    @Test
    void tokenizePrintsTheGoldenIds() throws IOException {
        JsonNode first = new ObjectMapper().readTree(KJV.resolve("golden.json").toFile()).get(0);
        Cli r = Cli.run("tokenize", "--tokenizer", KJV.toString(), "--text", first.get("text").asText());
        assertEquals(0, r.exitCode(), r::toString);
        assertEquals(first.get("ids").toString(), r.out().strip());
    }

    @Test
    void tokenizeCanAlsoPrintTokens() {
        Cli r = Cli.run("tokenize", "--tokenizer", KJV.resolve("tokenizer.json").toString(), "--text", "In the", "--tokens");
        assertEquals(0, r.exitCode(), r::toString);
        assertEquals("[42,79,260]\n[\"I\",\"n\",\"Ġthe\"]", r.out().strip());
    }

    @Test
    void tokenizerFolderWithoutTokenizerJsonNamesTheFile(@TempDir Path dir) {
        Cli r = Cli.run("tokenize", "--tokenizer", dir.toString(), "--text", "x");
        assertOneLineFailure(r, 2);
        assertTrue(r.err().contains(dir.resolve("tokenizer.json").toString()), r::toString);
    }

    @Test
    void badIdsAreOneLineAndExitTwo() {
        Cli r = Cli.run("inspect", "--model", MIXTRAL.toString(), "--ids", "5,x,7", "--out", "unused.safetensors");
        assertOneLineFailure(r, 2);
        assertTrue(r.err().contains("'x' is not a token id"), r::toString);
    }

    @Test
    void emptyIdsSayEmptyInput() {
        Cli r = Cli.run("inspect", "--model", MIXTRAL.toString(), "--ids", "", "--out", "unused.safetensors");
        assertOneLineFailure(r, 2);
        assertTrue(r.err().contains("empty input"), r::toString);
    }

    @Test
    void missingModelFolderIsNamedWithoutStackTrace(@TempDir Path dir) {
        Path missing = dir.resolve("no-such-model");
        for (String[] args : new String[][] {
                {"info", "--model", missing.toString()},
                {"inspect", "--model", missing.toString(), "--ids", "1,2", "--out", dir.resolve("o.safetensors").toString()}}) {
            Cli r = Cli.run(args);
            assertOneLineFailure(r, 2);
            assertTrue(r.err().contains(missing.toString()), r::toString);
        }
    }

    @Test
    void textNeedsTheModelsTokenizerJson(@TempDir Path dir) {
        // The conformance models come without a tokenizer.
        Cli r = Cli.run("inspect", "--model", MIXTRAL.toString(), "--text", "hi", "--out", dir.resolve("o.safetensors").toString());
        assertOneLineFailure(r, 2);
        assertTrue(r.err().contains(MIXTRAL.resolve("tokenizer.json").toString()), r::toString);
    }

    @Test
    void missingOutputFolderFailsBeforeAnyWork(@TempDir Path dir) {
        Path out = dir.resolve("nowhere/o.safetensors");
        Cli r = Cli.run("inspect", "--model", MIXTRAL.toString(), "--ids", "1,2", "--out", out.toString());
        assertOneLineFailure(r, 2);
        assertTrue(r.err().contains("output folder does not exist"), r::toString);
    }

    @Test
    void gradsWriteOneGradientPerTrainedTensorInItsCheckpointShape(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("g.safetensors");
        Cli r = Cli.run("inspect", "--model", MIXTRAL.toString(), "--ids", "1,2,3", "--out", out.toString(), "--grads",
                "--backend", "java");
        assertEquals(0, r.exitCode(), r::toString);
        try (var f = io.moescope.checkpoint.SafetensorsFile.open(out);
             var ckpt = io.moescope.checkpoint.Checkpoint.open(MIXTRAL)) {
            for (String name : ckpt.tensorNames()) {
                var g = f.info("grad." + name);
                assertTrue(g != null, "gradient of " + name);
                assertEquals(java.util.Arrays.toString(ckpt.info(name).shape()), g.shapeString(), name);
            }
            assertEquals(ckpt.tensorNames().size(), f.tensors().keySet().stream().filter(n -> n.startsWith("grad.")).count());
        }
    }

    @Test
    void gradientsPrintsTheFlowAsJson() throws IOException {
        Cli r = Cli.run("gradients", "--model", MIXTRAL.toString(), "--ids", "5,17,42,7,9", "--json", "--backend", "java");
        assertEquals(0, r.exitCode(), r::toString);
        var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.out());
        assertEquals(2, json.get("layers").size(), r::toString);
        assertTrue(json.get("total_grad_norm").asDouble() > 0, r::toString);
        assertEquals(3, json.get("residual_grad_norms").size(), r::toString);
    }

    @Test
    void gradientsRefusesASingleToken() {
        Cli r = Cli.run("gradients", "--model", MIXTRAL.toString(), "--ids", "5", "--json");
        assertOneLineFailure(r, 2);
        assertTrue(r.err().contains("at least two tokens"), r::toString);
    }

    @Test
    void usageErrorsExitTwo() {
        assertOneLineFailure(Cli.run("inspect", "--model", MIXTRAL.toString(), "--out", "x.safetensors"), 2);
        assertOneLineFailure(Cli.run("inspect", "--model", MIXTRAL.toString(), "--ids", "1", "--text", "a", "--out", "x"), 2);
        assertOneLineFailure(Cli.run("no-such-command"), 2);
    }

    @Test
    void debugShowsTheStackTrace(@TempDir Path dir) {
        Path missing = dir.resolve("no-such-model");
        Cli before = Cli.run("--debug", "info", "--model", missing.toString());
        Cli after = Cli.run("info", "--model", missing.toString(), "--debug");
        for (Cli r : new Cli[] {before, after}) {
            assertEquals(2, r.exitCode(), r::toString);
            assertTrue(r.err().contains("\tat io.moescope."), r::toString);
        }
    }

    static void assertOneLineFailure(Cli r, int exitCode) {
        assertEquals(exitCode, r.exitCode(), r::toString);
        assertEquals(1, r.errLines().length, () -> "expected one line on stderr\n" + r);
        assertTrue(r.err().startsWith("moescope: "), r::toString);
        assertFalse(r.err().contains("\tat "), r::toString);
    }
}
