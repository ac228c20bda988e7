package io.moescope.app;

import io.moescope.checkpoint.CheckpointException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Cheap checks on --model before any long work, so a typo fails at once and names the folder. */
final class ModelFolder {
    private ModelFolder() {}

    static Path require(Path dir) {
        if (!Files.exists(dir)) throw new CheckpointException(dir, "model folder does not exist");
        if (!Files.isDirectory(dir)) {
            throw new CheckpointException(dir, "is not a folder: --model wants an HF model folder (config.json and *.safetensors)");
        }
        Path config = dir.resolve("config.json");
        if (!Files.isRegularFile(config)) throw new CheckpointException(config, "missing: not an HF model folder");
        return dir;
    }
}
