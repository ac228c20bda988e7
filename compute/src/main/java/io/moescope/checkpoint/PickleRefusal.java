package io.moescope.checkpoint;

import io.moescope.files.CheckpointException;
import java.nio.file.Path;
import java.util.Locale;

/** Pickle-based checkpoints run arbitrary code when unpickled, so we never load them; we say how to convert. */
final class PickleRefusal {
    private PickleRefusal() {}

    private static final String[] EXTENSIONS = {".bin", ".pt", ".pth", ".ckpt", ".pkl"};

    static boolean isPickle(Path file) {
        Path name = file.getFileName();
        if (name == null) return false;
        String n = name.toString().toLowerCase(Locale.ROOT);
        for (String ext : EXTENSIONS) if (n.endsWith(ext)) return true;
        return false;
    }

    static String message(String fileName) {
        return "pickle-based checkpoint " + fileName + " refused: pickle files can execute arbitrary code when loaded;"
                + " convert it to safetensors first, e.g. python -c \"import torch; from safetensors.torch import save_file;"
                + " sd = torch.load('" + fileName + "', weights_only=True); save_file({k: v.contiguous() for k, v in sd.items()},"
                + " 'model.safetensors')\" or, with transformers, model.save_pretrained(out_dir, safe_serialization=True)";
    }

    static CheckpointException refuse(Path file) {
        return new CheckpointException(file, message(String.valueOf(file.getFileName())));
    }
}
