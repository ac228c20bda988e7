package io.moescope.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.moescope.backend.Tensor;
import io.moescope.backend.java.JavaBackend;
import io.moescope.checkpoint.Checkpoint;
import io.moescope.model.ModelLoader;
import io.moescope.model.MoeModel;
import io.moescope.tokenizer.Tokenizer;
import io.moescope.train.TokenDataset;
import io.moescope.train.Trainer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every shipped sample model loads and reaches, on its held-out text, the loss its card states. */
class SampleModelsTest {

    private static Path folder(String name) {
        return Path.of("..", "sample-models", name).toAbsolutePath().normalize();
    }

    @ParameterizedTest
    @ValueSource(strings = {"kjv-mixtral", "kjv-deepseek-v3"})
    void reachesItsStatedHeldOutLoss(String name) throws Exception {
        Path dir = folder(name);
        JsonNode card = new ObjectMapper().readTree(dir.resolve("model-card.json").toFile());
        int[] held;
        try (Tokenizer tok = Tokenizer.load(dir)) {
            held = tok.encode(Files.readString(dir.resolve("heldout.txt")));
        }
        try (Checkpoint ckpt = Checkpoint.open(dir); var backend = new JavaBackend(2)) {
            MoeModel model = ModelLoader.load(ckpt, backend);
            long params = model.parameters().values().stream().mapToLong(Tensor::size).sum();
            assertEquals(card.get("parameters").asLong(), params, "parameter count on the card");
            double loss = Trainer.heldOutLoss(model, new TokenDataset(new int[0], held),
                    card.get("seq_len").asInt(), card.get("held_out_windows").asInt());
            assertEquals(card.get("held_out_loss").asDouble(), loss, 1e-3, name + " held-out loss");
            assertTrue(loss < card.get("unigram_held_out_loss").asDouble() - 1.0, "well below the unigram baseline");
            assertTrue(Files.size(dir.resolve("model.safetensors")) <= 20_000_000, "at most 20 MB");
        }
    }
}
