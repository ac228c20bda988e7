package io.moescope.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moescope.testing.Conformance;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RandomCheckpointCommandTest {
    @TempDir Path tmp;

    @Test
    void writesAShardedCheckpointThatInfoReads() {
        Path out = tmp.resolve("olmoe-random");
        Cli r = Cli.run("random-checkpoint", "--config", Conformance.dir().resolve("olmoe-a").resolve("config.json").toString(),
                "--dtype", "fp8", "--out", out.toString(), "--seed", "3", "--shard-size", "30KB");
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().contains("as fp8"), r.out());
        assertTrue(r.err().contains("writing model-00001-of-"), r.err());
        assertTrue(Files.isRegularFile(out.resolve("model.safetensors.index.json")));
        Cli info = Cli.run("info", "--model", out.toString());
        assertEquals(0, info.exitCode(), info.toString());
        assertTrue(info.out().contains("F8_E4M3"), info.out());
    }

    @Test
    void badArgumentsFailInOneLine() {
        String config = Conformance.dir().resolve("olmoe-a").resolve("config.json").toString();
        Cli r = Cli.run("random-checkpoint", "--config", config, "--dtype", "int4", "--out", tmp.resolve("x").toString());
        assertEquals(2, r.exitCode(), r.toString());
        assertEquals(1, r.errLines().length, r.toString());
        assertTrue(r.err().contains("bf16, f16, f32, fp8"), r.err());
        r = Cli.run("random-checkpoint", "--config", config, "--shard-size", "lots", "--out", tmp.resolve("x").toString());
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.err().contains("--shard-size"), r.err());
        r = Cli.run("random-checkpoint", "--config", tmp.resolve("none.json").toString(), "--out", tmp.resolve("x").toString());
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.err().contains("none.json"), r.err());
        assertFalse(Files.exists(tmp.resolve("x")));
    }
}
