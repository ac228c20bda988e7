package io.moescope.report;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds the HF golden data in compute's test resources; surefire passes its place, an IDE run (working
 * directory: this module) finds it there.
 */
public final class Conformance {
    private Conformance() {}

    public static Path dir() {
        String prop = System.getProperty("moescope.conformance.dir");
        Path dir = prop != null ? Path.of(prop) : Path.of("../compute/src/test/resources/conformance");
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException("conformance data not found at " + dir.toAbsolutePath().normalize()
                    + " (compute/src/test/resources/conformance, or -Dmoescope.conformance.dir=DIR)");
        }
        return dir;
    }
}
