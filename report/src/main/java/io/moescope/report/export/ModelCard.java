package io.moescope.report.export;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.moescope.files.InputFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The model folder's model-card.json (how a sample model was trained and how well it does) as one
 * line for a report's summary: "held_out_loss 4.1704, steps 530, ...". A card that cannot be read is
 * named as such; the report is still written.
 */
final class ModelCard {
    private ModelCard() {}

    static final String FILE = "model-card.json";
    private static final long MAX_BYTES = 1 << 20;

    static Optional<String> summary(Path modelDir) {
        Path file = modelDir.resolve(FILE);
        if (!Files.exists(file)) return Optional.empty();
        try {
            JsonNode card = InputFiles.readJson(file, MAX_BYTES, new ObjectMapper(), "model card");
            List<String> parts = new ArrayList<>();
            for (Map.Entry<String, JsonNode> e : card.properties()) {
                if (e.getValue().isValueNode()) parts.add(e.getKey() + " " + e.getValue().asText());
            }
            return Optional.of(String.join(", ", parts));
        } catch (RuntimeException e) {
            return Optional.of(FILE + " not readable: " + e.getMessage());
        }
    }
}
