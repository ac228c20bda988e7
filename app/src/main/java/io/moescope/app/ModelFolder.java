package io.moescope.app;

import io.moescope.files.CheckpointException;
import io.moescope.files.InputFiles;
import io.moescope.files.OutputGuard;
import io.moescope.hub.HubCache;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * Cheap checks on --model and the files a command reads or writes, before any long work, so a typo
 * fails at once and names the path. What a command reads is protected from what it writes
 * ({@link OutputGuard}): an --out that resolves to an input, or into the model folder, is refused.
 */
final class ModelFolder {
    private ModelFolder() {}

    /**
     * The model folder --model names: the folder itself, or, for a repo id such as
     * allenai/OLMoE-1B-7B-0924 that is not a folder here, its snapshot in the local Hugging Face cache.
     */
    static Path require(Path dir) {
        if (!Files.exists(dir) && HubCache.looksLikeRepoId(dir.toString())) return require(HubCache.fromEnvironment().resolve(dir.toString()));
        if (!Files.exists(dir)) throw new CheckpointException(dir, "model folder does not exist");
        if (!Files.isDirectory(dir)) {
            throw new CheckpointException(dir, "is not a folder: --model wants an HF model folder (config.json and *.safetensors)");
        }
        Path config = dir.resolve("config.json");
        if (!Files.exists(config, LinkOption.NOFOLLOW_LINKS)) throw new CheckpointException(config, "missing: not an HF model folder");
        io.moescope.checkpoint.ModelFiles.require(dir, "config.json");
        OutputGuard.protectFolder(dir);
        return dir;
    }

    /** A file the command reads (a config, a text): it must exist and be a regular file; the run never writes over it. */
    static Path requireFile(Path file) {
        InputFiles.requireRegular(file);
        OutputGuard.protectFile(file);
        return file;
    }

    /**
     * A file the command writes, checked before the work: its folder must exist, and it must not be
     * a folder, a device or FIFO, an input of the run, or inside the model folder.
     */
    static Path requireOutputFolder(Path file) {
        Path parent = file.toAbsolutePath().getParent();
        if (parent == null || !Files.isDirectory(parent)) throw new CheckpointException(file, "the output folder does not exist");
        OutputGuard.check(file);
        return file;
    }
}
