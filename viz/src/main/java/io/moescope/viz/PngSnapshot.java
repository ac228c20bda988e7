package io.moescope.viz;

import io.moescope.report.export.ImageFiles;
import io.moescope.viz.export.FxImages;
import java.io.IOException;
import java.nio.file.Path;
import javafx.scene.Scene;

/** Saves what a scene shows as a PNG, atomically. */
public final class PngSnapshot {
    private PngSnapshot() {}

    /** Must run on the FX thread. */
    public static void write(Scene scene, Path file) throws IOException {
        ImageFiles.writePng(FxImages.toAwt(scene.snapshot(null)), file);
    }
}
