package io.moescope.report;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds the shared HF golden data; surefire passes its place, an IDE run falls back to the usual layout. */
public final class Conformance {
    private Conformance() {}

    public static Path dir() {
        String prop = System.getProperty("moescope.conformance.dir");
        Path dir = prop != null ? Path.of(prop) : Path.of("../../shared/conformance");
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException("conformance data not found at " + dir.toAbsolutePath().normalize()
                    + ": shared/ must sit beside the repository (see README)");
        }
        return dir;
    }
}
