package io.moescope.files;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Temporary files and folders being written right now, by every writer (see {@link AtomicFiles}).
 * On Ctrl-C or SIGTERM the JVM runs its shutdown hooks but not the writer's own clean-up, so a hook
 * deletes whatever is still in flight. SIGKILL runs no hook: the names carry the writing process's
 * id, and the next write into the same folder removes what a dead process of ours left there.
 */
public final class InFlightFiles {
    private InFlightFiles() {}

    /** {@code .NAME.moescope-PID-RANDOM.tmp} (files) or {@code .NAME.moescope-PID-RANDOM.partial} (folders). */
    private static final Pattern OURS = Pattern.compile("^\\..*\\.moescope-(\\d+)-[^.]*\\.(tmp|partial)$");
    private static final long PID = ProcessHandle.current().pid();

    private static final Set<Path> files = new LinkedHashSet<>();
    private static final Set<Path> swept = new LinkedHashSet<>();
    private static boolean hookInstalled;
    private static boolean shuttingDown;

    /**
     * Creates and registers a temporary file for {@code target} in its folder, in one step under the
     * lock the hook takes: a file created between the two would be missed by a hook running in
     * between, and the JVM halts as soon as its hooks are done. Once the hook ran, nothing more is created.
     */
    public static Path create(Path target) throws IOException {
        return create(target, false);
    }

    /** The same for a folder written whole and then renamed into place (a training checkpoint). */
    public static Path createFolder(Path target) throws IOException {
        return create(target, true);
    }

    private static synchronized Path create(Path target, boolean folder) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        if (shuttingDown) throw new IOException(dir + ": not writing: the program is shutting down");
        if (!hookInstalled) {
            Runtime.getRuntime().addShutdownHook(new Thread(InFlightFiles::deleteAll, "moescope-delete-temporary-files"));
            hookInstalled = true;
        }
        removeStale(dir);
        String prefix = "." + target.getFileName() + ".moescope-" + PID + "-";
        Path tmp = folder ? Files.createTempDirectory(dir, prefix) : Files.createTempFile(dir, prefix, ".tmp");
        if (folder) {
            Path renamed = tmp.resolveSibling(tmp.getFileName() + ".partial");
            Files.move(tmp, renamed);
            tmp = renamed;
        }
        files.add(tmp);
        if (!folder) readableByOthers(tmp);
        return tmp;
    }

    /**
     * createTempFile makes the file private (rw-------); an exported figure, report or checkpoint
     * should get the permissions any new file gets (rw-r--r-- under the usual umask).
     */
    private static void readableByOthers(Path tmp) throws IOException {
        if (Files.getFileStore(tmp).supportsFileAttributeView(java.nio.file.attribute.PosixFileAttributeView.class)) {
            Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        }
    }

    /** After the file was moved into place or deleted. */
    public static synchronized void remove(Path tmp) {
        files.remove(tmp);
    }

    /** What a shutdown now would delete. */
    public static synchronized List<Path> pending() {
        return List.copyOf(files);
    }

    /** The id of the process that made a temporary file or folder of ours, or -1 for any other name. */
    static long owner(Path p) {
        Matcher m = OURS.matcher(p.getFileName().toString());
        if (!m.matches()) return -1;
        try {
            return Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * Deletes what a process of ours that no longer runs left in {@code dir} (killed with SIGKILL, or
     * the machine went down). Once per folder and process; a live owner's files are left alone.
     */
    public static synchronized void removeStale(Path dir) {
        if (dir == null || !swept.add(dir)) return;
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            for (Path p : s) {
                long pid = owner(p);
                if (pid < 0 || pid == PID || ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) continue;
                deleteQuietly(p);
            }
        } catch (IOException | RuntimeException ignored) {
            // A folder we cannot list is reported by the write that follows.
        }
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

    /** Deletes a temporary file or folder (with what it holds); links are removed, never followed. */
    public static void deleteQuietly(Path tmp) {
        if (tmp == null) return;
        try {
            if (Files.isDirectory(tmp, LinkOption.NOFOLLOW_LINKS)) {
                try (Stream<Path> s = Files.walk(tmp)) {
                    for (Path q : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(q);
                }
            } else {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException | RuntimeException ignored) {
            // Nothing better to do while failing or shutting down.
        }
    }
}
