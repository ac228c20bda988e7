package io.moescope.fuzz;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.moescope.checkpoint.Checkpoint;
import io.moescope.checkpoint.DType;
import java.nio.file.Path;
import org.junit.jupiter.api.Timeout;

/**
 * The safetensors reader on arbitrary bytes: open a model folder whose model.safetensors is the
 * input, then read every tensor as float32 (and as ints where it is an integer tensor), which
 * covers the dtype widening and the FP8 block-scale path.
 */
class SafetensorsFuzzTest {
    private static final Path DIR = Scratch.dir("safetensors");

    static {
        Scratch.write(DIR.resolve(Checkpoint.CONFIG), "{}");
    }

    @FuzzTest(maxDuration = "6s")
    @Timeout(30)
    @DictionaryEntries({"\"dtype\"", "\"shape\"", "\"data_offsets\"", "\"__metadata__\"", "\"F32\"", "\"F16\"",
            "\"BF16\"", "\"F8_E4M3\"", "\"I32\"", "\"I64\"", ".weight\"", ".weight_scale_inv\"", "[0,4]", "[128,129]"})
    void openAndReadEveryTensor(byte[] input) throws Exception {
        Scratch.write(DIR.resolve(Checkpoint.SINGLE_FILE), input);
        Refusals.successOrRefusal(() -> {
            try (Checkpoint c = Checkpoint.open(DIR)) {
                for (String name : c.tensorNames()) {
                    c.floats(name);
                    DType d = c.info(name).dtype();
                    if (d == DType.I32 || d == DType.I64) c.ints(name);
                }
                c.warnings();
                c.dtypeCounts();
                c.parameterCount();
            }
        });
    }
}
