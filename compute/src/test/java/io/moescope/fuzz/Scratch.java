package io.moescope.fuzz;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * One scratch folder per fuzz JVM, rewritten for every input and deleted at exit. Fuzz tests cannot
 * take a @TempDir parameter (Jazzer owns the parameters), and a fresh folder per input would be slow.
 */
final class Scratch {
    private Scratch() {}

    private static final Path ROOT = create();

    private static Path create() {
        try {
            Path root = Files.createTempDirectory("moescope-fuzz-");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(root)));
            return root;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A folder under the scratch root, created if needed. */
    static Path dir(String name) {
        try {
            return Files.createDirectories(ROOT.resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path write(Path file, byte[] bytes) {
        try {
            Files.createDirectories(file.getParent());
            return Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path write(Path file, String text) {
        return write(file, text.getBytes(StandardCharsets.UTF_8));
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> s = Files.walk(root)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // Best effort at exit; the OS cleans the temp folder eventually.
        }
    }
}
