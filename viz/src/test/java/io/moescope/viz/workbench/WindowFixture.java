package io.moescope.viz.workbench;

import java.nio.file.Path;
import javafx.scene.Scene;
import javafx.stage.Stage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * A workbench window on the test's stage, its settings (recent models, autosave) in a folder of the
 * test class's own. TestFX finds @Start and @Stop in the test class alone, so each test class
 * declares them and calls {@link #show} and closes {@link #window}.
 */
abstract class WindowFixture {
    @TempDir
    static Path settings;

    WorkbenchWindow window;
    Stage stage;

    @BeforeAll
    static void isolateSettings() {
        System.setProperty("moescope.settings", settings.toString());
    }

    void show(Stage stage, int width, int height) {
        this.stage = stage;
        window = new WorkbenchWindow(stage);
        stage.setScene(new Scene(window.root(), width, height));
        stage.show();
    }
}
