package io.moescope.analysis;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.moescope.files.InputFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A model folder's training log (training_log.jsonl, one JSON object per logged step, as
 * `moescope train` writes it), read for playback: loss, expert load and router entropy per MoE
 * layer, and gradient norms summed per layer, at every logged step. Fields a log lacks stay empty.
 */
public record TrainingHistory(Path file, List<Step> steps) {

    public static final String FILE_NAME = "training_log.jsonl";

    /**
     * @param expertLoad     tokens per expert, by decoder layer
     * @param routerEntropy  mean router entropy, by decoder layer
     * @param layerGradNorms L2 norm of the gradient of each decoder layer's parameters (from the per-component norms)
     */
    public record Step(int step, double loss, double auxLoss, double learningRate, double gradNorm,
                       Map<Integer, long[]> expertLoad, Map<Integer, Double> routerEntropy, Map<Integer, Double> layerGradNorms) {}

    private static final Pattern LAYER = Pattern.compile("^layers\\.(\\d+)\\.");

    /** The folder's log, if it has one; a line that does not parse (a run killed mid-write) is skipped. */
    public static Optional<TrainingHistory> of(Path modelDir) throws IOException {
        Path f = modelDir.resolve(FILE_NAME);
        if (!Files.isRegularFile(f)) return Optional.empty();
        ObjectMapper json = new ObjectMapper();
        List<Step> steps = new ArrayList<>();
        String text;
        try {
            text = new String(InputFiles.readOwnBytes(f, InputFiles.MAX_TEXT_BYTES), StandardCharsets.UTF_8);
        } catch (io.moescope.files.CheckpointException e) {
            throw new IOException(e.getMessage(), e);
        }
        for (String line : text.split("\\R")) {
            if (line.isBlank()) continue;
            JsonNode n;
            try {
                n = json.readTree(line);
            } catch (IOException partial) {
                continue;
            }
            steps.add(step(n));
        }
        if (steps.isEmpty()) return Optional.empty();
        return Optional.of(new TrainingHistory(f, Collections.unmodifiableList(steps)));
    }

    static Step step(JsonNode n) {
        Map<Integer, long[]> load = new TreeMap<>();
        n.path("expert_load").properties().forEach(e -> {
            long[] c = new long[e.getValue().size()];
            for (int i = 0; i < c.length; i++) c[i] = e.getValue().get(i).asLong();
            load.put(Integer.parseInt(e.getKey()), c);
        });
        Map<Integer, Double> entropy = new TreeMap<>();
        n.path("router_entropy").properties().forEach(e -> entropy.put(Integer.parseInt(e.getKey()), e.getValue().asDouble()));
        Map<Integer, Double> squares = new TreeMap<>();
        n.path("grad_norms").properties().forEach(e -> {
            Matcher m = LAYER.matcher(e.getKey());
            if (m.find()) squares.merge(Integer.parseInt(m.group(1)), e.getValue().asDouble() * e.getValue().asDouble(), Double::sum);
        });
        Map<Integer, Double> grads = new TreeMap<>();
        squares.forEach((l, s) -> grads.put(l, Math.sqrt(s)));
        return new Step(n.path("step").asInt(), n.path("loss").asDouble(Double.NaN), n.path("aux_loss").asDouble(Double.NaN),
                n.path("lr").asDouble(Double.NaN), n.path("grad_norm").asDouble(Double.NaN), load, entropy, grads);
    }
}
