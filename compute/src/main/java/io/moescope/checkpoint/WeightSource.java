package io.moescope.checkpoint;

import io.moescope.files.CheckpointException;
import io.moescope.tensor.FloatTensor;
import java.nio.file.Path;

/**
 * Where a model's weights come from: a checkpoint folder, or values generated for a fresh model.
 * The model loader asks by checkpoint name and shape, so one piece of code knows each
 * architecture's tensor names.
 */
public interface WeightSource {

    /** The folder (or a stand-in) that messages about missing tensors name. */
    Path origin();

    boolean has(String name);

    /** The tensor, as float32, if it has exactly this shape; else a {@link CheckpointException}. */
    FloatTensor require(String name, long... shape);

    /** The tensor as stored, for a backend to widen as it reads it; float32 values unless the source is a checkpoint. */
    default StoredWeight stored(String name, long... shape) {
        return StoredWeight.of(name, require(name, shape));
    }
}
