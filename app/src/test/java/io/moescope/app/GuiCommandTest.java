package io.moescope.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moescope.testing.Conformance;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GuiCommandTest {
    private final String home = System.getProperty("moescope.home");

    @AfterEach
    void restoreHome() {
        if (home == null) System.clearProperty("moescope.home");
        else System.setProperty("moescope.home", home);
    }

    @Test
    void defaultModelIsTheFirstSampleFolder(@TempDir Path dir) throws IOException {
        for (String model : new String[] {"b-model", "a-model"}) {
            Files.createDirectories(dir.resolve("sample-models").resolve(model));
            Files.writeString(dir.resolve("sample-models").resolve(model).resolve("config.json"), "{}");
        }
        Files.createDirectories(dir.resolve("sample-models/0-data"));   // a folder without config.json: no model
        Files.writeString(dir.resolve("sample-models/0-not-a-folder.txt"), "");
        System.setProperty("moescope.home", dir.toString());
        assertEquals(Optional.of(dir.resolve("sample-models/a-model")), GuiCommand.defaultModel());
    }

    @Test
    void noSampleModelsMeansNoDefault(@TempDir Path dir) {
        System.setProperty("moescope.home", dir.toString());
        assertEquals(Optional.empty(), GuiCommand.defaultModel());
    }

    /** Where GTK 3 is missing, JavaFX would fail with a stack trace; the command says what to install instead. */
    @Test
    void withoutGtkTheWindowIsOneLineSayingWhatToInstall() {
        System.setProperty(Desktop.GTK_PROPERTY, "libgtk-3-missing.so.0");
        try {
            for (Cli r : new Cli[] {Cli.run(), Cli.run("gui", "--model", Conformance.dir().resolve("mixtral-a").toString())}) {
                CliTest.assertOneLineFailure(r, 2);
                assertEquals("moescope: the workbench window needs GTK 3, which is not installed (Debian: apt-get install libgtk-3-0);"
                        + " every command except gui works without it", r.err().strip());
            }
        } finally {
            System.clearProperty(Desktop.GTK_PROPERTY);
        }
    }

    @Test
    void unknownViewIsBadInput() {
        Cli r = Cli.run("gui", "--model", Conformance.dir().resolve("mixtral-a").toString(), "--view", "nope");
        assertEquals(2, r.exitCode(), r::toString);
        assertTrue(r.err().contains("--view must be one of attention, load, routing, gradients, model, training"), r.err());
    }
}
