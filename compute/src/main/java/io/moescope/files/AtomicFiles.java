package io.moescope.files;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Every file MoEScope writes (exports, reports, sessions, logs, checkpoints) appears complete or not
 * at all: it is written to a temporary file in the same folder (so the move stays on one file
 * system), registered with {@link InFlightFiles} so that Ctrl-C or SIGTERM removes it, and then
 * moved over the target. The target is checked first by {@link OutputGuard}: never a device, FIFO
 * or folder, never a file the run reads.
 */
public final class AtomicFiles {
    private AtomicFiles() {}

    @FunctionalInterface
    public interface Writer {
        void write(OutputStream out) throws IOException;
    }

    public static void writeString(Path file, String text) throws IOException {
        write(file, text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    public static void write(Path file, byte[] bytes) throws IOException {
        write(file, out -> out.write(bytes));
    }

    /**
     * @throws IOException with the file and the reason in words (a full disk, a read-only folder)
     * @throws io.moescope.files.CheckpointException when {@link OutputGuard} refuses the target
     */
    public static void write(Path file, Writer writer) throws IOException {
        Path target = file.toAbsolutePath();
        Path parent = target.getParent();
        if (parent == null || !Files.isDirectory(parent)) throw new IOException(parent + ": the folder does not exist");
        OutputGuard.check(target);
        Path tmp = null;
        try {
            tmp = InFlightFiles.create(target);
            try (OutputStream out = Files.newOutputStream(tmp)) {
                writer.write(out);
            }
            moveIntoPlace(tmp, target);
        } catch (IOException e) {
            throw new IOException(file + ": cannot write: " + IoProblems.describe(e), e);
        } finally {
            InFlightFiles.deleteQuietly(tmp);
            // Only now: until the move, a shutdown must find the temporary file to delete it.
            if (tmp != null) InFlightFiles.remove(tmp);
        }
    }

    /** Atomically where the file system allows it. */
    public static void moveIntoPlace(Path tmp, Path target) throws IOException {
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
