package io.moescope.viz;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What the window says about the loaded model, read straight from config.json so that the window
 * opens even for a model the compute side refuses (it then shows why).
 *
 * @param folder  null when no model is loaded
 * @param problem null when config.json was read
 */
public record ModelHeadline(Path folder, String modelType, int layers, int denseLayers, int routedExperts,
                            int expertsPerToken, int sharedExperts, String problem) {

    public static ModelHeadline none() {
        return new ModelHeadline(null, null, 0, 0, 0, 0, 0, null);
    }

    public static ModelHeadline read(Path folder) {
        if (folder == null) return none();
        Path config = folder.resolve("config.json");
        if (!Files.isRegularFile(config)) return failed(folder, config + ": missing");
        try {
            JsonNode c = io.moescope.files.InputFiles.readJson(config, io.moescope.files.InputFiles.MAX_JSON_BYTES, new ObjectMapper(), "JSON");
            return new ModelHeadline(folder, c.path("model_type").asText("?"), c.path("num_hidden_layers").asInt(0),
                    c.path("first_k_dense_replace").asInt(0),
                    // Each architecture names its expert count differently.
                    firstInt(c, "num_local_experts", "num_experts", "n_routed_experts"),
                    firstInt(c, "num_experts_per_tok"),
                    sharedExperts(c), null);
        } catch (io.moescope.files.CheckpointException e) {
            return failed(folder, e.getMessage());
        }
    }

    private static ModelHeadline failed(Path folder, String problem) {
        return new ModelHeadline(folder, null, 0, 0, 0, 0, 0, problem);
    }

    /** DeepSeek counts shared experts; Qwen2-MoE has one exactly when it sizes it. */
    private static int sharedExperts(JsonNode c) {
        if (c.hasNonNull("n_shared_experts")) return c.get("n_shared_experts").asInt();
        return c.path("shared_expert_intermediate_size").asInt(0) > 0 ? 1 : 0;
    }

    private static int firstInt(JsonNode c, String... names) {
        for (String n : names) if (c.hasNonNull(n)) return c.get(n).asInt();
        return 0;
    }

    public String title() {
        return folder == null ? "no model loaded" : folder.toAbsolutePath().normalize().getFileName().toString();
    }

    /** The lines shown under the title. */
    public List<String> lines() {
        List<String> out = new ArrayList<>();
        if (folder == null) {
            out.add("Open one with: moescope gui --model DIR (an HF folder: config.json + *.safetensors),");
            out.add("or put a model folder into sample-models/.");
            return out;
        }
        out.add("Folder: " + folder.toAbsolutePath().normalize());
        if (problem != null) {
            out.add("Cannot read this model: " + problem);
            return out;
        }
        out.add("Architecture: " + modelType);
        out.add("Decoder layers: " + layers + (denseLayers > 0 ? " (the first " + denseLayers + " dense)" : ""));
        out.add("Routed experts: " + routedExperts + ", top-" + expertsPerToken + " per token"
                + (sharedExperts > 0 ? ", plus " + sharedExperts + " shared" : ""));
        return out;
    }
}
