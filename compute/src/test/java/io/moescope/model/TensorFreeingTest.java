package io.moescope.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.moescope.backend.opencl.OpenClBackend;
import io.moescope.backend.opencl.OpenClTesting;
import io.moescope.checkpoint.Checkpoint;
import io.moescope.checkpoint.SafetensorsFile;
import io.moescope.grad.Backprop;
import io.moescope.grad.Gradients;
import io.moescope.testing.Conformance;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every pass gives back the device memory it takes: the recorder closes what no probe keeps and no
 * tape holds as soon as it is used, and what they keep is closed with them, so a GPU backend does
 * not wait for the garbage collector. Measured with the OpenCL backend's live bytes, which grow with
 * every tensor made and shrink when one is closed (or collected: a leak can hide, never show falsely).
 */
class TensorFreeingTest {

    static Stream<Path> models() {
        return Arrays.stream(Conformance.MODELS).map(Conformance::model);
    }

    @ParameterizedTest
    @MethodSource("models")
    void passesCloseWhatTheyMake(Path dir) {
        OpenClBackend b = OpenClTesting.backend();
        try (Checkpoint ckpt = Checkpoint.open(dir); SafetensorsFile golden = SafetensorsFile.open(dir.resolve("golden.safetensors"))) {
            MoeModel model = ModelLoader.load(ckpt, b);
            Gradients grads = Gradients.zeros(model);
            int[] ids = golden.ints("input_ids");
            Backprop.Options withAuxLoss = new Backprop.Options(1f, 0.01, true);
            Backprop.run(model, ids, grads, withAuxLoss);   // warm: what the backend makes once is made now

            long before = live(b);
            model.forward(ids, MoeModel.Probes.ALL);
            assertEquals(before, live(b), "forward with every probe");
            model.forward(ids, MoeModel.Probes.NONE);
            assertEquals(before, live(b), "forward without probes");
            model.loss(ids);
            assertEquals(before, live(b), "loss");
            Backprop.run(model, ids, grads, withAuxLoss);
            assertEquals(before, live(b), "forward and backward");
            if (model.config().padTokenId() >= 0) {   // OLMoE: the padding token's rows take the embedding's other path
                int[] padded = ids.clone();
                padded[1] = model.config().padTokenId();
                Backprop.run(model, padded, grads, withAuxLoss);
                assertEquals(before, live(b), "forward and backward with a padding token");
            }
        }
    }

    private static long live(OpenClBackend b) {
        b.synchronize();
        return b.deviceMemory().orElseThrow().liveBytes();
    }
}
