package io.moescope.files;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Keeps a run from writing over what it reads. While a command runs (between {@link #begin()} and
 * {@link #end()}), every model folder it opens and every input file it names is protected: an
 * output that resolves, through links, to a protected file or into a protected folder is refused
 * before anything is written. Outside a run (the workbench, the library) nothing is protected
 * except what {@link #checkTarget} refuses everywhere: replacing something that is not a regular file.
 */
public final class OutputGuard {
    private OutputGuard() {}

    private static final Set<Path> protectedFiles = new LinkedHashSet<>();
    private static final Set<Path> protectedFolders = new LinkedHashSet<>();
    private static boolean active;

    /** Starts a command's run: nothing protected yet. */
    public static synchronized void begin() {
        protectedFiles.clear();
        protectedFolders.clear();
        active = true;
    }

    public static synchronized void end() {
        protectedFiles.clear();
        protectedFolders.clear();
        active = false;
    }

    /** A file the run reads. */
    public static synchronized void protectFile(Path file) {
        if (active) real(file).ifPresent(protectedFiles::add);
    }

    /** A folder the run reads from (a model folder): nothing may be written into it. */
    public static synchronized void protectFolder(Path dir) {
        if (active) real(dir).ifPresent(protectedFolders::add);
    }

    /**
     * @throws CheckpointException naming the output when writing it would replace something that is
     *         not a regular file, a file the run reads, or write into a model folder the run reads
     */
    public static synchronized void check(Path output) {
        checkTarget(output);
        if (!active) return;
        Path real = resolved(output);
        if (real == null) return;
        for (Path f : protectedFiles) {
            if (real.equals(f)) {
                throw new CheckpointException(output, "refusing to write the output over " + f + ", which this run reads");
            }
        }
        for (Path d : protectedFolders) {
            if (real.startsWith(d)) {
                throw new CheckpointException(output, "refusing to write into the model folder " + d + ", which this run reads");
            }
        }
    }

    /** Devices, FIFOs, sockets and folders are never replaced by an output (as root, a device node would be). */
    public static void checkTarget(Path output) {
        if (!Files.exists(output, LinkOption.NOFOLLOW_LINKS)) return;
        if (Files.isDirectory(output)) throw new CheckpointException(output, "cannot write: it is a folder, and the output wants a file name");
        if (!Files.isRegularFile(output)) {
            throw new CheckpointException(output, "cannot write: it is not a regular file (a device, FIFO or socket), and an output never replaces one");
        }
    }

    /** The output's real path: itself if it exists (links followed), else its folder's real path and its name. */
    private static Path resolved(Path output) {
        Path abs = output.toAbsolutePath().normalize();
        if (Files.exists(abs)) return real(abs).orElse(null);
        Path parent = abs.getParent();
        if (parent == null || abs.getFileName() == null) return null;
        return real(parent).map(p -> p.resolve(abs.getFileName())).orElse(null);
    }

    private static java.util.Optional<Path> real(Path p) {
        try {
            return java.util.Optional.of(p.toRealPath());
        } catch (IOException | RuntimeException e) {
            return java.util.Optional.empty();
        }
    }
}
