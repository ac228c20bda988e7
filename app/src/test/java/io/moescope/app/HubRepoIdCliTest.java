package io.moescope.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moescope.hub.HubCache;
import io.moescope.testing.Conformance;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --model takes a repo id, found offline in a Hugging Face cache laid out by the test. */
class HubRepoIdCliTest {
    @TempDir Path tmp;

    @AfterEach
    void forgetCache() {
        System.clearProperty(HubCache.PROPERTY);
    }

    @Test
    void aCachedRepoIdOpensItsSnapshot() throws IOException {
        Path snap = Files.createDirectories(tmp.resolve("hub/models--allenai--OLMoE-1B-7B-0924/snapshots/abc123"));
        for (String f : new String[]{"config.json", "model.safetensors"}) Files.copy(Conformance.dir().resolve("olmoe-a").resolve(f), snap.resolve(f));
        Files.createDirectories(tmp.resolve("hub/models--allenai--OLMoE-1B-7B-0924/refs"));
        Files.writeString(tmp.resolve("hub/models--allenai--OLMoE-1B-7B-0924/refs/main"), "abc123");
        System.setProperty(HubCache.PROPERTY, tmp.resolve("hub").toString());
        Cli r = Cli.run("info", "--model", "allenai/OLMoE-1B-7B-0924");
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().contains("snapshots/abc123"), r.out());
        assertTrue(r.out().contains("olmoe"), r.out());
    }

    @Test
    void anUncachedRepoIdFailsInOneLineSayingHowToDownloadIt() {
        System.setProperty(HubCache.PROPERTY, tmp.resolve("empty").toString());
        Cli r = Cli.run("info", "--model", "allenai/OLMoE-1B-7B-0924");
        assertEquals(2, r.exitCode(), r.toString());
        assertEquals(1, r.errLines().length, r.toString());
        assertTrue(r.err().contains("hf download allenai/OLMoE-1B-7B-0924"), r.err());
    }
}
