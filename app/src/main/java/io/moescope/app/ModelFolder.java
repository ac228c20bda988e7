package io.moescope.app;

import io.moescope.checkpoint.CheckpointException;
import io.moescope.hub.HubCache;
import java.nio.file.Files;
import java.nio.file.Path;

/** Cheap checks on --model and the files a command reads or writes, before any long work, so a typo fails at once and names the path. */
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
        if (!Files.isRegularFile(config)) throw new CheckpointException(config, "missing: not an HF model folder");
        return dir;
    }

    /** A file the command reads (a config, a text): it must exist and be a regular file. */
    static Path requireFile(Path file) {
        if (!Files.exists(file)) throw new CheckpointException(file, "file does not exist");
        if (!Files.isRegularFile(file)) throw new CheckpointException(file, "is not a regular file");
        return file;
    }

    /** A file the command writes: its folder must exist, so a long run does not end in a failed write. */
    static Path requireOutputFolder(Path file) {
        Path parent = file.toAbsolutePath().getParent();
        if (parent == null || !Files.isDirectory(parent)) throw new CheckpointException(file, "the output folder does not exist");
        return file;
    }
}
