package io.moescope.checkpoint;

import java.nio.file.Path;

/**
 * A checkpoint, config or input that we refuse, with a message a user can act on.
 * The message always names the file (or folder) and the problem in one line.
 */
public class CheckpointException extends RuntimeException {
    private final Path file;
    private final String problem;

    public CheckpointException(Path file, String problem) {
        this(file, problem, null);
    }

    public CheckpointException(Path file, String problem, Throwable cause) {
        super((file == null ? "" : file + ": ") + problem, cause);
        this.file = file;
        this.problem = problem;
    }

    /** The file or folder at fault, or null when the problem is not about a file (e.g. bad token ids). */
    public Path file() {
        return file;
    }

    public String problem() {
        return problem;
    }
}
