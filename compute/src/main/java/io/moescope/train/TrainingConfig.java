package io.moescope.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.moescope.files.CheckpointException;
import io.moescope.files.InputFiles;
import java.nio.file.Path;
import java.util.Iterator;

/**
 * A training run's settings: the model's HF config and the optimisation hyper-parameters. The
 * file is either {"model": {...HF config...}, "training": {...}} or a plain HF config.json, to
 * which an optional "training" object may be added.
 *
 * @param model            the HF config written as config.json of every checkpoint
 * @param optimizer        "adamw" or "lion"
 * @param auxLossCoef      weight of the load-balancing loss (defaults to the config's router_aux_loss_coef)
 * @param biasUpdateRate   DeepSeek-V3's auxiliary-loss-free balancing: each step the correction bias of
 *                         an overloaded expert falls by this much and an underloaded one rises; 0 = off
 */
public record TrainingConfig(ObjectNode model, int seqLen, int batchSize, int gradAccumulation, double learningRate,
                             double minLrRatio, int warmupSteps, String optimizer, double beta1, double beta2, double eps,
                             double weightDecay, double clipNorm, double auxLossCoef, double biasUpdateRate,
                             double heldOutFraction, int logEvery, int saveEvery, int keepLast, long seed) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Windows per optimizer step (batch_size x grad_accumulation), and tokens per step, stay far below int overflow. */
    static final int MAX_WINDOWS_PER_STEP = 1 << 20;
    static final long MAX_TOKENS_PER_STEP = 1L << 30;

    public static TrainingConfig load(Path file) {
        JsonNode root = InputFiles.readJson(file, InputFiles.MAX_JSON_BYTES, JSON, "JSON in the training config");
        if (root == null || !root.isObject()) throw new CheckpointException(file, "training config must be a JSON object");
        ObjectNode model;
        JsonNode training;
        if (root.has("model")) {
            if (!root.get("model").isObject()) throw new CheckpointException(file, "\"model\" must be an object (an HF config)");
            model = (ObjectNode) root.get("model").deepCopy();
            training = root.path("training");
        } else {
            model = ((ObjectNode) root).deepCopy();
            training = model.path("training");
            model.remove("training");
        }
        return parse(file, model, training);
    }

    static TrainingConfig parse(Path file, ObjectNode model, JsonNode t) {
        if (!t.isMissingNode() && !t.isNull() && !t.isObject()) throw new CheckpointException(file, "\"training\" must be an object of settings");
        JsonNode init = model.get("initializer_range");
        if (init != null && !init.isNull() && !(init.isNumber() && init.asDouble() > 0 && Double.isFinite(init.asDouble()))) {
            throw new CheckpointException(file, "field \"initializer_range\" must be a positive finite number");
        }
        Fields f = new Fields(file, t);
        String opt = f.text("optimizer", "adamw");
        if (!opt.equals("adamw") && !opt.equals("lion")) throw new CheckpointException(file, "optimizer \"" + opt + "\" is not supported (adamw, lion)");
        boolean lion = opt.equals("lion");
        double defaultAux = model.path("router_aux_loss_coef").asDouble(0.0);
        TrainingConfig c = new TrainingConfig(model,
                f.positiveInt("seq_len", 128), f.positiveInt("batch_size", 8), f.positiveInt("grad_accumulation", 1),
                f.positive("learning_rate", lion ? 3e-4 : 1e-3), f.fraction("min_lr_ratio", 0.1), f.nonNegativeInt("warmup_steps", 100),
                opt, f.fraction("beta1", 0.9), f.fraction("beta2", lion ? 0.99 : 0.95), f.positive("eps", 1e-8),
                f.nonNegative("weight_decay", 0.1), f.nonNegative("clip_norm", 1.0), f.nonNegative("aux_loss_coef", defaultAux),
                f.nonNegative("bias_update_rate", 0.0), f.fraction("held_out_fraction", 0.02),
                f.positiveInt("log_every", 10), f.positiveInt("save_every", 500), f.positiveInt("keep_last", 2),
                f.seed());
        long windows = (long) c.batchSize() * c.gradAccumulation();
        if (windows > MAX_WINDOWS_PER_STEP) {
            throw new CheckpointException(file, "training settings \"batch_size\" x \"grad_accumulation\" (" + c.batchSize() + " x "
                    + c.gradAccumulation() + " = " + windows + ") is more than the " + MAX_WINDOWS_PER_STEP + " windows a step may have");
        }
        if (windows * c.seqLen() > MAX_TOKENS_PER_STEP) {
            throw new CheckpointException(file, "training settings \"seq_len\" x \"batch_size\" x \"grad_accumulation\" (" + windows * c.seqLen()
                    + " tokens a step) is more than the " + MAX_TOKENS_PER_STEP + " we accept");
        }
        for (Iterator<String> it = t.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!KNOWN.contains(name)) throw new CheckpointException(file, "unknown training setting \"" + name + "\" (known: " + String.join(", ", KNOWN) + ")");
        }
        return c;
    }

    private static final java.util.List<String> KNOWN = java.util.List.of("seq_len", "batch_size", "grad_accumulation",
            "learning_rate", "min_lr_ratio", "warmup_steps", "optimizer", "beta1", "beta2", "eps", "weight_decay", "clip_norm",
            "aux_loss_coef", "bias_update_rate", "held_out_fraction", "log_every", "save_every", "keep_last", "seed");

    public int tokensPerStep() {
        return Math.toIntExact((long) seqLen * batchSize * gradAccumulation);
    }

    /** Typed reads with one-line errors naming the file and the setting. */
    private record Fields(Path file, JsonNode json) {
        double positive(String name, double def) {
            double v = number(name, def);
            if (!(v > 0)) throw bad(name, "must be positive");
            return v;
        }

        double nonNegative(String name, double def) {
            double v = number(name, def);
            if (!(v >= 0)) throw bad(name, "must not be negative");
            return v;
        }

        double fraction(String name, double def) {
            double v = number(name, def);
            if (!(v >= 0 && v < 1)) throw bad(name, "must be in [0, 1)");
            return v;
        }

        int positiveInt(String name, int def) {
            int v = integer(name, def);
            if (v < 1) throw bad(name, "must be at least 1");
            return v;
        }

        int nonNegativeInt(String name, int def) {
            int v = integer(name, def);
            if (v < 0) throw bad(name, "must not be negative");
            return v;
        }

        String text(String name, String def) {
            JsonNode n = json.get(name);
            if (n == null || n.isNull()) return def;
            if (!n.isTextual()) throw bad(name, "must be a string");
            return n.textValue();
        }

        long seed() {
            JsonNode n = json.get("seed");
            if (n == null || n.isNull()) return 1234;
            if (!n.isIntegralNumber() || !n.canConvertToLong()) throw bad("seed", "must be an integer");
            return n.asLong();
        }

        private double number(String name, double def) {
            JsonNode n = json.get(name);
            if (n == null || n.isNull()) return def;
            if (!n.isNumber()) throw bad(name, "must be a number");
            if (!Double.isFinite(n.asDouble())) throw bad(name, "must be a finite number");
            return n.asDouble();
        }

        private int integer(String name, int def) {
            JsonNode n = json.get(name);
            if (n == null || n.isNull()) return def;
            if (!n.isIntegralNumber() || !n.canConvertToInt()) throw bad(name, "must be an integer");
            return n.asInt();
        }

        private CheckpointException bad(String name, String why) {
            JsonNode n = json.get(name);
            String got = n == null ? "" : ", got " + (n.isValueNode() && n.toString().length() <= 40 ? n.toString() : n.getNodeType().name().toLowerCase(java.util.Locale.ROOT));
            return new CheckpointException(file, "training setting \"" + name + "\" " + why + got);
        }
    }
}
