package io.moescope.files;

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
        super(oneLine((file == null ? "" : file + ": ") + problem), cause);
        this.file = file;
        this.problem = oneLine(problem);
    }

    /** Longer messages are cut: a name from a hostile file may be megabytes long. */
    public static final int MAX_MESSAGE = 2000;

    /**
     * Names in messages come from untrusted files: a newline in a tensor or shard name must not split
     * the one-line message (nor forge a second line), so control and line-separator characters are
     * shown escaped, and an overlong message is cut.
     */
    static String oneLine(String text) {
        String s = String.valueOf(text);
        StringBuilder b = new StringBuilder(Math.min(s.length(), MAX_MESSAGE) + 40);
        int i = 0;
        for (; i < s.length() && b.length() < MAX_MESSAGE; i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') b.append(String.format("\\u%04x", (int) c));
                    else b.append(c);
                }
            }
        }
        if (i < s.length()) b.append("... (").append(s.length() - i).append(" more characters)");
        return b.toString();
    }

    /** The file or folder at fault, or null when the problem is not about a file (e.g. bad token ids). */
    public Path file() {
        return file;
    }

    public String problem() {
        return problem;
    }
}
