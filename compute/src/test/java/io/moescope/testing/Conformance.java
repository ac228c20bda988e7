package io.moescope.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * Finds the HF-transformers golden data in the repository (compute/src/test/resources/conformance,
 * made by tools/goldens/make_goldens.py), which tests read in place and never copy. Surefire passes
 * its place as moescope.conformance.dir; an IDE run, whose working directory is the module, finds it
 * beside the sources. Every module's tests use it (compute's test-jar).
 */
public final class Conformance {
    private Conformance() {}

    /** One configuration per architecture, with golden gradients. */
    public static final String[] MODELS = {"mixtral-a", "qwen2moe-a", "qwen3moe-a", "olmoe-a", "deepseekv2-a", "deepseekv3-a"};

    /** What the six leave out: YaRN, bf16/f16 weights, shards, windows, clipping, tied embeddings, group routing. */
    public static final String[] EXTRA_MODELS = {"qwen3moe-yarn", "deepseekv3-yarn-bf16", "deepseekv2-group",
            "olmoe-clip-tied", "mixtral-window-f16", "qwen2moe-sharded"};

    /** Where the data is seen from compute's folder and from a module beside it (an IDE's working directories). */
    private static final List<Path> IN_THE_SOURCES = List.of(Path.of("src/test/resources/conformance"),
            Path.of("../compute/src/test/resources/conformance"));

    /**
     * The newer model types' checkpoints, with golden gradients, in conformance-arch beside the
     * others (made by tools/goldens/make_arch_goldens.py); those supported so far.
     */
    public static final String[] ARCH_MODELS = {"granitemoe-a", "granitemoeshared-a", "glm4moe-a"};

    public static Path archModel(String name) {
        return dir().resolveSibling("conformance-arch").resolve(name);
    }

    /** Every folder with golden gradients: the six, then the newer types'. */
    public static Stream<Path> gradientModels() {
        return Stream.concat(Arrays.stream(MODELS).map(Conformance::model), Arrays.stream(ARCH_MODELS).map(Conformance::archModel));
    }

    public static Path dir() {
        String prop = System.getProperty("moescope.conformance.dir");
        Path p = (prop != null ? Path.of(prop) : IN_THE_SOURCES.stream().filter(Files::isDirectory).findFirst()
                .orElse(IN_THE_SOURCES.getFirst())).toAbsolutePath().normalize();
        assertTrue(Files.isDirectory(p), "conformance data not found at " + p
                + " (compute/src/test/resources/conformance, or -Dmoescope.conformance.dir=DIR)");
        return p;
    }

    public static Path model(String name) {
        return dir().resolve(name);
    }

    public static Path extraModel(String name) {
        return model(name);
    }

    /** All twelve model folders with golden outputs. */
    public static Stream<Path> allModels() {
        return Stream.concat(Arrays.stream(MODELS), Arrays.stream(EXTRA_MODELS)).map(Conformance::model);
    }

    /** The twelve, then the newer model types'. */
    public static Stream<Path> allModelsWithArch() {
        return Stream.concat(allModels(), Arrays.stream(ARCH_MODELS).map(Conformance::archModel));
    }
}
