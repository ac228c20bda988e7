package io.moescope.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds the shared HF-transformers golden data, which tests read in place and never copy. */
public final class Conformance {
    private Conformance() {}

    public static final String[] MODELS = {"mixtral-a", "qwen2moe-a", "qwen3moe-a", "olmoe-a", "deepseekv2-a", "deepseekv3-a"};

    public static Path dir() {
        String prop = System.getProperty("moescope.conformance.dir");
        Path p = prop != null ? Path.of(prop) : Path.of("../../shared/conformance");
        p = p.toAbsolutePath().normalize();
        assertTrue(Files.isDirectory(p), "conformance data not found at " + p + " (expected ../shared/conformance beside the repository)");
        return p;
    }

    public static Path model(String name) {
        return dir().resolve(name);
    }
}
