package io.moescope.viz.session;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecentModelsTest {
    private final String saved = System.getProperty("moescope.settings");

    @AfterEach
    void restore() {
        if (saved == null) System.clearProperty("moescope.settings");
        else System.setProperty("moescope.settings", saved);
    }

    @Test
    void newestFirstWithoutDuplicatesAndOnlyExistingFolders(@TempDir Path dir) throws IOException {
        System.setProperty("moescope.settings", dir.resolve("settings").toString());
        Path a = Files.createDirectories(dir.resolve("a")), b = Files.createDirectories(dir.resolve("b"));
        RecentModels.add(a);
        RecentModels.add(b);
        RecentModels.add(a);
        assertEquals(List.of(a, b), RecentModels.list());
        Files.delete(b);
        assertEquals(List.of(a), RecentModels.list(), "a folder that went away is not offered");
        for (int i = 0; i < 15; i++) RecentModels.add(Files.createDirectories(dir.resolve("m" + i)));
        assertEquals(RecentModels.KEEP, RecentModels.list().size());
    }
}
