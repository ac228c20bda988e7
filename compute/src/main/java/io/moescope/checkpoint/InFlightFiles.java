package io.moescope.checkpoint;

import io.moescope.files.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Temporary files being written right now. On Ctrl-C or SIGTERM the JVM runs its shutdown hooks
 * but not the writer's own clean-up, so a hook deletes whatever is still in flight: an interrupted
 * write leaves neither a partial output (outputs are only ever moved into place whole) nor its
 * temporary file.
 */
final class InFlightFiles {
    private InFlightFiles() {}

    private static final Set<Path> files = new LinkedHashSet<>();
    private static boolean hookInstalled;
    private static boolean shuttingDown;

    /**
     * Creates and registers a temporary file in one step, under the lock the hook takes: a file
     * created between the two would be missed by a hook running in between, and the JVM halts as
     * soon as its hooks are done. Once the hook has run, nothing more is created.
     */
    static synchronized Path create(Path dir, String prefix, String suffix) throws IOException {
        if (shuttingDown) throw new IllegalStateException("not writing in " + dir + ": the JVM is shutting down");
        if (!hookInstalled) {
            Runtime.getRuntime().addShutdownHook(new Thread(InFlightFiles::deleteAll, "moescope-delete-temporary-files"));
            hookInstalled = true;
        }
        Path tmp = Files.createTempFile(dir, prefix, suffix);
        files.add(tmp);
        AtomicFiles.readableByOthers(tmp);
        return tmp;
    }

    /** After the file was moved into place or deleted. */
    static synchronized void remove(Path tmp) {
        files.remove(tmp);
    }

    /** What a shutdown now would delete. */
    static synchronized List<Path> pending() {
        return List.copyOf(files);
    }

    /** The shutdown hook. */
    static void deleteAll() {
        List<Path> left;
        synchronized (InFlightFiles.class) {
            shuttingDown = true;
            left = List.copyOf(files);
            files.clear();
        }
        left.forEach(InFlightFiles::deleteQuietly);
    }

    static void deleteQuietly(Path tmp) {
        if (tmp == null) return;
        try {
            Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
            // Nothing better to do while failing or shutting down.
        }
    }
}
