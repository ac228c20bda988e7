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

    /** Checkpoints we made with transformers 5.17 for what the shared six leave out (tools/goldens). */
    public static final String[] EXTRA_MODELS = {"qwen3moe-yarn", "deepseekv3-yarn-bf16", "deepseekv2-group",
            "olmoe-clip-tied", "mixtral-window-f16", "qwen2moe-sharded"};

    public static Path extraModel(String name) {
        try {
            return Path.of(Conformance.class.getResource("/conformance-extra/" + name).toURI());
        } catch (java.net.URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("test resource conformance-extra/" + name + " missing", e);
        }
    }

    /** All twelve model folders with golden outputs. */
    public static java.util.stream.Stream<Path> allModels() {
        return java.util.stream.Stream.concat(
                java.util.Arrays.stream(MODELS).map(Conformance::model),
                java.util.Arrays.stream(EXTRA_MODELS).map(Conformance::extraModel));
    }
}
