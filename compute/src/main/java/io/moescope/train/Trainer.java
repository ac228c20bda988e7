package io.moescope.train;

import io.moescope.backend.Backend;
import io.moescope.backend.RoutingRule;
import io.moescope.backend.Tensor;
import io.moescope.checkpoint.Checkpoint;
import io.moescope.files.CheckpointException;
import io.moescope.checkpoint.SafetensorsFile;
import io.moescope.checkpoint.TensorData;
import io.moescope.grad.Backprop;
import io.moescope.grad.Gradients;
import io.moescope.model.DecoderLayer;
import io.moescope.model.ModelConfig;
import io.moescope.model.ModelLoader;
import io.moescope.model.MoeModel;
import io.moescope.model.MoeTrace;
import io.moescope.model.RandomModel;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;

/**
 * Trains a model of any supported architecture from scratch, or resumes from the newest checkpoint
 * in the output folder, in plain sight: sample windows, forward and backward, clip, step the
 * optimizer, log, save. Every random draw depends only on the seed and the step, so a resumed run
 * continues exactly as the uninterrupted one would have.
 */
public final class Trainer {
    private final TrainingConfig cfg;
    private final ModelConfig modelConfig;
    private final TokenDataset data;
    private final Path out;
    private final Optional<Path> tokenizer;
    private final Backend backend;
    private final PrintStream progress;

    public Trainer(TrainingConfig cfg, TokenDataset data, Path out, Optional<Path> tokenizer, Backend backend, PrintStream progress) {
        this.cfg = cfg;
        this.modelConfig = ModelConfig.parse(out.resolve("config.json"), cfg.model());
        this.data = data;
        this.out = out;
        this.tokenizer = tokenizer;
        this.backend = backend;
        this.progress = progress;
        for (int id : data.train()) {
            if (id < 0 || id >= modelConfig.vocabSize()) {
                throw new CheckpointException(out, "token id " + id + " of the training text is outside the model's vocabulary (vocab_size "
                        + modelConfig.vocabSize() + "): use the tokenizer the config was made for");
            }
        }
    }

    /** What a finished run reports, and what a model card states. */
    public record Summary(int steps, double finalTrainLoss, double heldOutLoss, double unigramHeldOutLoss,
                          double wallSeconds, double tokensPerSecond, long parameters, Path lastCheckpoint) {}

    /**
     * @param steps    total optimizer steps of the run (a resumed run stops at the same total)
     * @param resume   continue from the newest checkpoint in the output folder
     * @param cancel   polled between steps; true stops after saving a checkpoint
     */
    public Summary run(int steps, boolean resume, BooleanSupplier cancel) {
        CheckpointStore store = new CheckpointStore(out, cfg.keepLast());
        MoeModel model;
        Optimizer opt;
        int start = 0;
        if (resume) {
            Resumed r = resume(store);
            model = r.model();
            opt = r.optimizer();
            start = r.step();
        } else {
            model = RandomModel.create(modelConfig, backend, cfg.seed(), cfg.model().path("initializer_range").asDouble(0.02));
            opt = new Optimizer(cfg, backend, model.parameters());
        }
        if (start >= steps) throw new CheckpointException(out, "already trained for " + start + " steps (asked for " + steps + ")");
        LearningRateSchedule lr = new LearningRateSchedule(cfg.learningRate(), cfg.warmupSteps(), steps, cfg.minLrRatio());
        Gradients grads = Gradients.zeros(model);
        ProgressBar bar = new ProgressBar(progress, start, steps);
        long began = System.nanoTime();
        double lastLoss = Double.NaN;
        Path lastCheckpoint = null;
        try (bar; TrainingLog log = TrainingLog.open(out.resolve("training_log.jsonl"), start)) {
            for (int step = start + 1; step <= steps; step++) {
                long t0 = System.nanoTime();
                StepResult r = step(model, grads, step);
                Map<String, Double> componentNorms = step % cfg.logEvery() == 0 || step == steps ? componentNorms(grads) : null;
                double norm = grads.globalNorm();
                if (cfg.clipNorm() > 0 && norm > cfg.clipNorm()) grads.scale((float) (cfg.clipNorm() / norm));
                double rate = lr.at(step);
                opt.step(grads, rate, step);
                if (cfg.biasUpdateRate() > 0) updateCorrectionBias(model, r.load());
                lastLoss = r.loss();
                double tokS = cfg.tokensPerStep() / ((System.nanoTime() - t0) / 1e9);
                bar.update(step, r.loss(), tokS);
                if (componentNorms != null) log.write(logEntry(model, step, r, rate, norm, componentNorms, tokS));
                boolean stop = cancel.getAsBoolean();
                if (step % cfg.saveEvery() == 0 || step == steps || stop) {
                    lastCheckpoint = store.save(step, cfg.model(), weights(model), opt.state(),
                            new CheckpointStore.State(step, r.loss(), Map.of("seed", cfg.seed())), tokenizer);
                }
                if (stop) {
                    bar.finish();
                    return summary(model, step, lastLoss, began, lastCheckpoint, start);
                }
            }
            bar.finish();
        }
        return summary(model, steps, lastLoss, began, lastCheckpoint, start);
    }

    private record StepResult(double loss, double auxLoss, int[][] load) {}

    /** One optimizer step's gradients: batch x accumulation windows, each drawn from (seed, step, index). */
    private StepResult step(MoeModel model, Gradients grads, int step) {
        grads.zero();
        int n = cfg.batchSize() * cfg.gradAccumulation();
        boolean aux = cfg.auxLossCoef() > 0 && !modelConfig.architecture().usesMla();
        var options = new Backprop.Options(1f / n, aux ? cfg.auxLossCoef() / n : 0);
        double loss = 0, auxLoss = 0;
        int[][] load = new int[modelConfig.numLayers()][];
        for (int i = 0; i < n; i++) {
            int[] ids = data.window(rng(step, i), cfg.seqLen());
            Backprop.Result r = Backprop.run(model, ids, grads, options);
            loss += r.loss() / n;
            auxLoss += r.auxLoss() / n;
            for (int l = 0; l < load.length; l++) {
                if (r.expertTokens()[l] == null) continue;
                if (load[l] == null) load[l] = new int[modelConfig.numExperts()];
                for (int e = 0; e < load[l].length; e++) load[l][e] += r.expertTokens()[l][e];
            }
        }
        return new StepResult(loss, auxLoss, load);
    }

    private SplittableRandom rng(int step, int index) {
        return new SplittableRandom(cfg.seed() * 0x9E3779B97F4A7C15L + step * 1_000_003L + index);
    }

    /**
     * DeepSeek-V3's auxiliary-loss-free balancing: nudge each expert's correction bias up when it
     * got fewer tokens than the mean this step, down when it got more. The bias steers the choice only.
     */
    private void updateCorrectionBias(MoeModel model, int[][] load) {
        for (DecoderLayer layer : model.layers()) {
            if (!layer.isMoe() || layer.moe().router().correctionBias() == null) continue;
            int[] c = load[layer.index()];
            double mean = 0;
            for (int x : c) mean += (double) x / c.length;
            float[] delta = new float[c.length];
            for (int e = 0; e < c.length; e++) delta[e] = (float) (cfg.biasUpdateRate() * Math.signum(mean - c[e]));
            try (Tensor d = backend.upload(delta, delta.length)) {
                backend.addInPlace(layer.moe().router().correctionBias(), d);
            }
        }
    }

    /** Gradient norms grouped by component: each projection, norm and router; experts one by one. */
    private static Map<String, Double> componentNorms(Gradients grads) {
        Map<String, Double> sq = new TreeMap<>();
        for (String name : grads.names()) {
            String key = name.replaceFirst("^model\\.", "").replaceFirst("\\.(weight|bias)$", "")
                    .replaceFirst("\\.experts\\.(\\d+)\\..*$", ".experts.$1");
            sq.merge(key, grads.sumOfSquares(name), Double::sum);
        }
        sq.replaceAll((k, v) -> Math.sqrt(v));
        return sq;
    }

    private Map<String, Object> logEntry(MoeModel model, int step, StepResult r, double rate, double norm,
                                         Map<String, Double> componentNorms, double tokS) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("step", step);
        e.put("loss", r.loss());
        if (!Double.isNaN(r.auxLoss())) e.put("aux_loss", r.auxLoss());
        e.put("lr", rate);
        e.put("grad_norm", norm);
        e.put("tokens_per_s", tokS);
        Map<String, int[]> load = new LinkedHashMap<>();
        for (int l = 0; l < r.load().length; l++) if (r.load()[l] != null) load.put(Integer.toString(l), r.load()[l]);
        e.put("expert_load", load);
        e.put("grad_norms", componentNorms);
        e.put("router_entropy", routerEntropy(model, data.window(rng(step, 0), cfg.seqLen())));
        return e;
    }

    /** Mean entropy (nats) of each MoE layer's routing distribution over the tokens of one window. */
    private Map<String, Double> routerEntropy(MoeModel model, int[] ids) {
        Map<String, Double> out = new LinkedHashMap<>();
        boolean sigmoid = modelConfig.routerKind() == ModelConfig.RouterKind.SIGMOID_GROUP_LIMITED;
        for (MoeTrace t : model.forward(ids, new MoeModel.Probes(false, false, true)).moe()) {
            int E = t.decision().experts(), T = t.decision().tokens();
            float[] p = new float[E];
            double h = 0;
            for (int i = 0; i < T; i++) {
                if (sigmoid) {
                    // sigmoid scores are not a distribution; normalise them to compare layers
                    double s = 0;
                    for (int e = 0; e < E; e++) s += p[e] = 1f / (1f + (float) Math.exp(-t.decision().logits()[i * E + e]));
                    for (int e = 0; e < E; e++) p[e] /= (float) s;
                } else {
                    RoutingRule.softmax(t.decision().logits(), i * E, E, p);
                }
                for (float x : p) if (x > 0) h -= x * Math.log(x) / T;
            }
            out.put(Integer.toString(t.layer()), h);
        }
        return out;
    }

    /** Mean next-token loss over held-out windows (nats per token). */
    public static double heldOutLoss(MoeModel model, TokenDataset data, int seqLen, int maxWindows) {
        int[][] w = data.heldOutWindows(seqLen, maxWindows);
        double sum = 0;
        for (int[] ids : w) sum += model.forward(ids, MoeModel.Probes.NONE).loss();
        return w.length == 0 ? Double.NaN : sum / w.length;
    }

    private Summary summary(MoeModel model, int step, double lastLoss, long began, Path lastCheckpoint, int start) {
        double wall = (System.nanoTime() - began) / 1e9;
        long params = 0;
        for (Tensor t : model.parameters().values()) params += t.size();
        return new Summary(step, lastLoss, heldOutLoss(model, data, cfg.seqLen(), 64), data.unigramHeldOutLoss(modelConfig.vocabSize()),
                wall, (double) (step - start) * cfg.tokensPerStep() / wall, params, lastCheckpoint);
    }

    /** Every parameter plus the correction-bias buffers, by checkpoint name, copied to the host. */
    private List<TensorData> weights(MoeModel model) {
        List<TensorData> list = new ArrayList<>();
        for (var e : model.parameters().entrySet()) list.add(HostCopy.of(backend, e.getKey(), e.getValue()));
        for (var e : buffers(model).entrySet()) list.add(HostCopy.of(backend, e.getKey(), e.getValue()));
        return list;
    }

    private static Map<String, Tensor> buffers(MoeModel model) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (DecoderLayer layer : model.layers()) {
            if (layer.isMoe() && layer.moe().router().correctionBias() != null) {
                out.put("model.layers." + layer.index() + ".mlp.gate.e_score_correction_bias", layer.moe().router().correctionBias());
            }
        }
        return out;
    }

    private record Resumed(MoeModel model, Optimizer optimizer, int step) {}

    /**
     * The newest checkpoint that loads whole (config, weights, optimizer state, trainer state); one
     * that does not (cut short by a full disk, damaged) is skipped with a warning naming it and why,
     * and the one before it is tried, as far back as keep_last kept them.
     */
    private Resumed resume(CheckpointStore store) {
        List<Path> candidates = store.newestFirst();
        if (candidates.isEmpty()) throw new CheckpointException(out, "--resume: no checkpoint-NNNNNN folder to resume from");
        List<String> skipped = new ArrayList<>();
        for (Path dir : candidates) {
            MoeModel model = null;
            try {
                int step = CheckpointStore.readState(dir).step();
                model = load(dir);
                Optimizer opt = new Optimizer(cfg, backend, model.parameters());
                restore(opt, dir);
                return new Resumed(model, opt, step);
            } catch (CheckpointException e) {
                if (model != null) model.parameters().values().forEach(Tensor::close);
                skipped.add(dir.getFileName() + " (" + e.getMessage() + ")");
                progress.println("moescope: warning: skipped " + dir.getFileName() + ", which does not load: " + e.getMessage());
                progress.flush();
            }
        }
        throw new CheckpointException(out, "--resume: no checkpoint loads: " + String.join("; ", skipped));
    }

    /** The checkpoint's weights and buffers, copied into writable backend memory. */
    private MoeModel load(Path dir) {
        try (Checkpoint ckpt = Checkpoint.open(dir)) {
            return ModelLoader.load(ckpt, modelConfig, backend, true);
        }
    }

    /** Restores the optimizer's moments from a checkpoint. */
    private static void restore(Optimizer opt, Path dir) {
        try (SafetensorsFile optimizer = SafetensorsFile.open(dir.resolve("optimizer.safetensors"))) {
            Map<String, float[]> moments = new LinkedHashMap<>();
            for (String name : optimizer.tensors().keySet()) moments.put(name, optimizer.floats(name).toArray());
            try {
                opt.restore(moments);
            } catch (IllegalArgumentException | IllegalStateException e) {
                throw new CheckpointException(optimizer.file(), "does not match the model: " + e.getMessage(), e);
            }
        }
    }

    /**
     * Readies the run folder: creates it, locks it for this process, and without --resume refuses
     * one that already holds anything (a run, or files of the user's): a new run would cut its log
     * and mix its checkpoints with the old ones. Temporary files of dead runs are removed.
     *
     * @throws CheckpointException naming the folder
     */
    public static RunLock prepareRunFolder(Path out, boolean resume) {
        try {
            if (Files.exists(out) && !Files.isDirectory(out)) throw new CheckpointException(out, "is not a folder: --out wants a folder for the run");
            Files.createDirectories(out);
        } catch (IOException e) {
            throw new CheckpointException(out, "cannot create the run folder: " + io.moescope.files.IoProblems.describe(e), e);
        }
        RunLock lock = RunLock.acquire(out);
        try {
            CheckpointStore store = new CheckpointStore(out, 1);
            store.removeOldPartials();
            if (!resume) {
                List<String> there;
                try (var s = Files.list(out)) {
                    there = s.filter(p -> !RunLock.isLockFile(p)).map(p -> p.getFileName().toString()).sorted().limit(4).toList();
                }
                if (!there.isEmpty()) {
                    throw new CheckpointException(out, "the run folder is not empty (" + String.join(", ", there)
                            + "): add --resume to continue the run in it, or choose a new --out");
                }
            }
            return lock;
        } catch (IOException e) {
            lock.close();
            throw new CheckpointException(out, "cannot list the run folder: " + io.moescope.files.IoProblems.describe(e), e);
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
    }
}
