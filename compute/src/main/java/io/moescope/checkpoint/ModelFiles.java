package io.moescope.checkpoint;

import io.moescope.files.CheckpointException;
import io.moescope.files.InputFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The files of a model folder come with downloaded models, so each one (config.json, the weights,
 * the index and its shards, tokenizer.json) must be a regular file inside the folder, even after
 * following links: a link to a file elsewhere is refused, and its content is never read.
 */
public final class ModelFiles {
    private ModelFiles() {}

    /**
     * @return {@code dir/name}, checked
     * @throws CheckpointException when it resolves outside the model folder or is not a regular file
     */
    public static Path require(Path dir, String name) {
        Path file = dir.resolve(name);
        requireInside(dir, file, file, "\"" + name + "\"");
        return InputFiles.requireRegular(file);
    }

    /** {@code dir/name} if it exists (checked as {@link #require} does), else null. */
    public static Path optional(Path dir, String name) {
        Path file = dir.resolve(name);
        return java.nio.file.Files.exists(file, java.nio.file.LinkOption.NOFOLLOW_LINKS) ? require(dir, name) : null;
    }

    /**
     * @param reportAs the file the message names (the index, for a shard it lists)
     * @param what     how the message names the file
     */
    static void requireInside(Path dir, Path file, Path reportAs, String what) {
        Path realDir = realPath(dir, dir);
        if (!Files.exists(file)) return;   // missing: the caller says so, naming the file
        Path real = realPath(reportAs, file);
        if (!real.startsWith(realDir) && !inHubBlobs(realDir, real)) {
            throw new CheckpointException(reportAs, what + " resolves to " + real + ", outside the model folder");
        }
    }

    /**
     * The Hugging Face hub cache keeps files in {@code models--org--name/blobs/} and links them from
     * {@code snapshots/<revision>/}, so a snapshot folder's files legitimately resolve to its repo's blobs.
     */
    private static boolean inHubBlobs(Path realDir, Path real) {
        Path snapshots = realDir.getParent();
        Path repo = snapshots == null ? null : snapshots.getParent();
        if (repo == null || !String.valueOf(snapshots.getFileName()).equals("snapshots")
                || !String.valueOf(repo.getFileName()).startsWith("models--")) {
            return false;
        }
        return real.startsWith(repo.resolve("blobs"));
    }

    static Path realPath(Path reportAs, Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            throw new CheckpointException(reportAs, "cannot resolve " + p + ": " + e.getMessage(), e);
        }
    }
}
