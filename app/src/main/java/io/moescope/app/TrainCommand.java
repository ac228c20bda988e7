package io.moescope.app;

import io.moescope.backend.Backend;
import io.moescope.files.CheckpointException;
import io.moescope.files.AtomicFiles;
import io.moescope.files.InputFiles;
import io.moescope.files.OutputGuard;
import io.moescope.inspect.ConfigMemory;
import io.moescope.model.ModelConfig;
import io.moescope.tokenizer.Tokenizer;
import io.moescope.train.RunLock;
import io.moescope.train.TokenDataset;
import io.moescope.train.Trainer;
import io.moescope.train.TrainingConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "train",
        description = {"Train a model of any supported architecture from scratch, or --resume from the newest checkpoint in --out.",
                "Checkpoints (HF layout) go to OUT/checkpoint-NNNNNN, the log to OUT/training_log.jsonl. Ctrl-C saves a checkpoint and stops."})
final class TrainCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--config", required = true, paramLabel = "CONFIG.json",
            description = "{\"model\": HF config, \"training\": settings} or an HF config.json (with an optional \"training\" object).")
    Path config;

    @Option(names = "--data", required = true, paramLabel = "TEXT", description = "UTF-8 training text; its tail is held out.")
    Path data;

    @Option(names = "--tokenizer", required = true, paramLabel = "DIR", description = "Folder with tokenizer.json (or the file).")
    Path tokenizer;

    @Option(names = "--steps", required = true, paramLabel = "N", description = "Total optimizer steps.")
    int steps;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder for checkpoints and the log.")
    Path out;

    @Option(names = "--resume", description = "Continue from the newest checkpoint in --out.")
    boolean resume;

    @Mixin ComputeOptions compute;

    @Override
    public Integer call() throws IOException {
        if (steps < 1) throw new IllegalArgumentException("--steps must be at least 1, got " + steps);
        compute.validate();
        TrainingConfig cfg = TrainingConfig.load(ModelFolder.requireFile(config));
        // The model's fields are checked against the file they came from, before any work.
        ModelConfig modelConfig = ModelConfig.parse(config, cfg.model());
        TextSplit text = TextSplit.of(readText(ModelFolder.requireFile(data)), cfg.heldOutFraction());
        TokenDataset dataset;
        Path tokenizerJson;
        try (Tokenizer tok = Tokenizer.load(tokenizer)) {
            tokenizerJson = tok.file();
            OutputGuard.protectFile(tokenizerJson);
            dataset = new TokenDataset(tok.encode(text.train()), tok.encode(text.heldOut()));
        }
        PrintStream err = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.err), true, StandardCharsets.UTF_8);
        // One process per run folder; a new run never lands in an old one's folder.
        // Ctrl-C: the loop saves and stops, and the shutdown gives it time to finish writing.
        try (RunLock lock = Trainer.prepareRunFolder(out, resume); StopOnInterrupt stop = new StopOnInterrupt(120);
             Backend backend = compute.open()) {
            compute.checkMemory(backend, config, ConfigMemory.training(modelConfig, cfg.seqLen(), cfg.optimizer().equals("lion") ? 1 : 2));
            // The held-out text travels with the model, so its stated held-out loss can be checked later.
            AtomicFiles.writeString(out.resolve("heldout.txt"), text.heldOut());
            Trainer trainer = new Trainer(cfg, dataset, out, Optional.of(tokenizerJson), backend, err);
            Trainer.Summary s = trainer.run(steps, resume, stop::stopped);
            var o = spec.commandLine().getOut();
            o.println(String.format(Locale.ROOT, "trained %d steps in %.1f s (%,.0f tokens/s), %,d parameters",
                    s.steps(), s.wallSeconds(), s.tokensPerSecond(), s.parameters()));
            o.println(String.format(Locale.ROOT, "final training loss %.4f; held-out loss %.4f (perplexity %.2f) vs unigram %.4f (perplexity %.2f)",
                    s.finalTrainLoss(), s.heldOutLoss(), Math.exp(s.heldOutLoss()), s.unigramHeldOutLoss(), Math.exp(s.unigramHeldOutLoss())));
            o.println("last checkpoint: " + s.lastCheckpoint());
            compute.printProfile(spec.commandLine().getErr());
        }
        return 0;
    }

    /** The text cut at a line boundary: the last fraction of it is held out, never trained on. */
    record TextSplit(String train, String heldOut) {
        static TextSplit of(String text, double heldOutFraction) {
            int cut = (int) (text.length() * (1 - heldOutFraction));
            int nl = text.indexOf('\n', cut);
            cut = nl < 0 ? text.length() : nl + 1;
            return new TextSplit(text.substring(0, cut), text.substring(cut));
        }
    }

    private static String readText(Path file) {
        String text = InputFiles.readUtf8(file, InputFiles.MAX_TEXT_BYTES);
        if (text.isBlank()) throw new CheckpointException(file, "the training text is empty");
        return text;
    }
}
