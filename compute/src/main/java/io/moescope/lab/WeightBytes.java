package io.moescope.lab;

import io.moescope.backend.Tensor;
import io.moescope.checkpoint.Checkpoint;
import io.moescope.checkpoint.WeightSource;
import io.moescope.model.MoeModel;
import java.util.Map;

/** What a model's weights take: as stored in the checkpoint, and in a variant's number format. */
final class WeightBytes {
    private final MoeModel model;
    private final WeightSource weights;

    /** @param weights the model's source; where it is not a checkpoint, weights count as float32 */
    WeightBytes(MoeModel model, WeightSource weights) {
        this.model = model;
        this.weights = weights;
    }

    /** The weights' bytes at the precision they are stored in (float32 where the source does not say). */
    long baseline() {
        long sum = 0;
        for (Map.Entry<String, Tensor> e : model.parameters().entrySet()) sum += stored(e.getKey(), e.getValue());
        return sum;
    }

    /** The weights' bytes in the variant's format, scales included; tensors it does not round as stored. */
    long variant(Precision p) {
        if (p.weights() == NumberFormat.FP32) return baseline();
        long sum = 0;
        for (Map.Entry<String, Tensor> e : model.parameters().entrySet()) {
            Tensor t = e.getValue();
            sum += RoundedWeights.rounds(e.getKey(), t.shape().length)
                    ? Rounding.bytes(p.weights(), t.rows(), t.cols()) : stored(e.getKey(), t);
        }
        return sum;
    }

    private long stored(String name, Tensor t) {
        if (weights instanceof Checkpoint c && c.has(name)) return c.info(name).byteSize();
        return 4 * t.size();
    }
}
