package io.moescope.viz.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SessionFilesTest {

    @Test
    void roundTrip(@TempDir Path dir) throws IOException {
        Session s = new Session(1, "/m", "java", "In the beginning", 3, 1, -1, 5, "routing", false, 1.5, true);
        Path f = dir.resolve("s.json");
        SessionFiles.write(s, f);
        assertEquals(s, SessionFiles.read(f));
        assertEquals("routing", new com.fasterxml.jackson.databind.ObjectMapper().readTree(f.toFile()).get("view").asText());
    }

    @Test
    void unknownFieldsAreIgnoredButNewerVersionsRefused(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("s.json");
        Files.writeString(f, "{\"version\":1,\"prompt\":\"x\",\"somethingNew\":42,\"capacityFactor\":2}");
        assertEquals("x", SessionFiles.read(f).prompt());
        Files.writeString(f, "{\"version\":99}");
        assertThrows(IOException.class, () -> SessionFiles.read(f));
    }

    /** An autosave that is a FIFO blocked the FX thread forever, and no window appeared (issue 17). */
    @Test
    @org.junit.jupiter.api.Timeout(60)
    void aFifoIsRefusedNotWaitedOn(@TempDir Path dir) throws Exception {
        Path fifo = dir.resolve("autosave-session.json");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        IOException e = assertThrows(IOException.class, () -> SessionFiles.read(fifo));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("not a regular file"), e.getMessage());
    }
}
