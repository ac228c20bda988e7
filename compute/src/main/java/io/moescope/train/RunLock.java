package io.moescope.train;

import io.moescope.files.CheckpointException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * One training process per run folder: an exclusive lock on {@code .moescope.lock} in it, held for
 * the whole run and released by the operating system when the process ends, however it ends. The
 * file says who holds it (process id, host, start time), for the one refused.
 */
public final class RunLock implements AutoCloseable {
    public static final String FILE_NAME = ".moescope.lock";

    private final FileChannel channel;
    private final FileLock lock;

    private RunLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** @throws CheckpointException naming the folder and the holder when another process trains in it */
    public static RunLock acquire(Path runFolder) {
        Path file = runFolder.resolve(FILE_NAME);
        FileChannel ch = null;
        try {
            ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE,
                    java.nio.file.LinkOption.NOFOLLOW_LINKS);
            FileLock lock;
            try {
                lock = ch.tryLock();
            } catch (OverlappingFileLockException inThisProcess) {
                lock = null;
            }
            if (lock == null) {
                String holder = holder(ch);
                ch.close();
                throw new CheckpointException(runFolder, "another train process is using this run folder ("
                        + (holder.isEmpty() ? "holder unknown" : holder) + "); wait for it to finish, or choose another --out");
            }
            String me = "process " + ProcessHandle.current().pid() + ", since " + Instant.now();
            ch.truncate(0);
            ch.write(ByteBuffer.wrap(me.getBytes(StandardCharsets.UTF_8)), 0);
            ch.force(false);
            return new RunLock(ch, lock);
        } catch (IOException e) {
            closeQuietly(ch);
            throw new CheckpointException(file, "cannot lock the run folder: " + io.moescope.files.IoProblems.describe(e), e);
        }
    }

    private static String holder(FileChannel ch) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(200);
        ch.read(b, 0);
        return new String(b.array(), 0, b.position(), StandardCharsets.UTF_8).replaceAll("\\p{Cntrl}", " ").strip();
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            if (ch != null) ch.close();
        } catch (IOException ignored) {
            // already failing
        }
    }

    /** Whether a lock file could be the only thing in a folder that holds no run yet. */
    static boolean isLockFile(Path p) {
        return p.getFileName().toString().equals(FILE_NAME);
    }

    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException ignored) {
            // the channel's close releases it too
        }
        closeQuietly(channel);
    }
}
