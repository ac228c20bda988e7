package io.moescope.checkpoint;

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
     * Registers a temporary file just created. Once the hook has run, nothing may register any
     * more: the file is deleted at once and the write fails, as the JVM is going away.
     */
    static synchronized void add(Path tmp) {
        if (shuttingDown) {
            deleteQuietly(tmp);
            throw new IllegalStateException("not writing " + tmp + ": the JVM is shutting down");
        }
        if (!hookInstalled) {
            Runtime.getRuntime().addShutdownHook(new Thread(InFlightFiles::deleteAll, "moescope-delete-temporary-files"));
            hookInstalled = true;
        }
        files.add(tmp);
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
