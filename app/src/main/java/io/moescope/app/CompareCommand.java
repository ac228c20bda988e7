package io.moescope.app;

import io.moescope.analysis.LoadedModel;
import io.moescope.analysis.Prompt;
import io.moescope.backend.AttentionPattern;
import io.moescope.files.CheckpointException;
import io.moescope.train.ProgressBar;
import io.moescope.lab.Comparison;
import io.moescope.lab.LabService;
import io.moescope.lab.Mechanism;
import io.moescope.lab.NumberFormat;
import io.moescope.lab.Precision;
import io.moescope.lab.RoutingChange;
import io.moescope.report.export.ReportBuilder;
import io.moescope.report.export.Reports;
import io.moescope.report.lab.LabJson;
import io.moescope.report.lab.LabReport;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "compare",
        description = {"Analyse a prompt with the model unchanged and with one variant of its mechanisms (routing,",
                "attention pattern, precision), and write the workbench's report of the baseline with the variant's",
                "difference heatmaps and metrics (KL, top-1 agreement, perplexity, routing flips, load, time)."},
        footer = {"", "Examples:",
                "  moescope compare --model DIR --text \"In the beginning\" --k 1 --out k1.html",
                "  moescope compare --model DIR --text \"In the beginning\" --window 8 --stride 4 --weights int8 --out v.pdf --json"})
final class CompareCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR|REPO", description = "HF model folder, or a repo id (org/name) in the local Hugging Face cache.")
    Path model;

    @Option(names = "--text", required = true, paramLabel = "TEXT", description = "Prompt; tokenized with the folder's tokenizer.json.")
    String text;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "report.html or report.pdf, written atomically.")
    Path out;

    @Option(names = "--rule", paramLabel = "RULE", description = "Routing rule: softmax-topk, noisy-topk, gumbel-topk, sigmoid-bias or group-limited (default: the model's).")
    String rule;

    @Option(names = "--k", paramLabel = "K", defaultValue = "0", description = "Experts per token (0: the model's).")
    int k;

    @Option(names = "--noise", paramLabel = "STD", defaultValue = "0", description = "noisy-topk: standard deviation of the noise.")
    double noise;

    @Option(names = "--temperature", paramLabel = "T", defaultValue = "1", description = "gumbel-topk: temperature.")
    double temperature;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "0", description = "Seed of the routing noise.")
    long seed;

    @Option(names = "--capacity", paramLabel = "F", defaultValue = "0", description = "Capacity factor with token dropping (0: none).")
    double capacity;

    @Option(names = "--disable", paramLabel = "E,E", split = ",", description = "Experts never chosen.")
    List<Integer> disable = List.of();

    @Option(names = "--window", paramLabel = "N", defaultValue = "0", description = "Attention window in tokens (0: none).")
    int window;

    @Option(names = "--stride", paramLabel = "N", defaultValue = "1", description = "Start-to-start distance of the windows.")
    int stride;

    @Option(names = "--keep-top-k", paramLabel = "N", defaultValue = "0", description = "Keys kept per query by score (0: all).")
    int keepTopK;

    @Option(names = "--global-first", description = "The first token is global (sees and is seen by all).")
    boolean globalFirst;

    @Option(names = "--weights", paramLabel = "FMT", defaultValue = "fp32", description = "Weight format: fp32, bf16, fp16, fp8-e4m3, fp8-e5m2, int8, int4-g32, int4-g128.")
    String weights;

    @Option(names = "--activations", paramLabel = "FMT", defaultValue = "fp32", description = "Format of the matrix products' inputs.")
    String activations;

    @Option(names = "--json", description = "Also print the comparison's numbers as JSON on stdout.")
    boolean json;

    @Mixin ComputeOptions compute;

    @Override
    public Integer call() {
        if (text.isEmpty()) throw new IllegalArgumentException("--text is empty: at least one token is needed");
        Precision precision = new Precision(format("--weights", weights), format("--activations", activations));
        RoutingChange routing = routing();
        compute.validate();
        model = ModelFolder.require(model);
        ModelFolder.requireOutputFolder(out);
        System.setProperty("java.awt.headless", "true");
        PrintWriter err = spec.commandLine().getErr();
        try (StopOnInterrupt stop = new StopOnInterrupt(60); LoadedModel m = compute.openModel(model, spec.commandLine().getErr())) {
            Prompt p = m.encode(text);
            int bad = SweepCommand.firstOutOfVocabulary(p.ids(), m.config().vocabSize());
            if (bad >= 0) throw new CheckpointException(model, "token id " + bad + " is outside the vocabulary of " + m.config().vocabSize());
            AttentionPattern attention = attention(p.ids().length);
            Mechanism variant = new Mechanism("variant", routing, attention, precision);
            variant = variant.withLabel(LabJson.label(variant));
            if (variant.isBaseline()) throw new IllegalArgumentException("nothing to compare: give at least one change (--k, --window, --weights, ...)");
            Mechanism chosen = variant;
            Comparison c = LabService.on(m, p.ids().length, lab -> lab.compare(p.ids(), p.tokens(), chosen,
                    (done, total, msg) -> SweepCommand.progress(err, done, total, msg), stop::stopped));
            ProgressBar.endLine(err);
            err.printf(Locale.ROOT, "%s: mean KL %.4g nats, top-1 agreement %.4f, routing flips %.4f%n", variant.label(),
                    c.metrics().meanKl(), c.metrics().top1Agreement(), c.metrics().meanRoutingFlips());
            err.flush();
            Reports.write(LabReport.withLab(ReportBuilder.build(c.baseline(), model, m.backendName()), c, null), out);
            PrintWriter o = spec.commandLine().getOut();
            if (json) o.println(LabJson.pretty(LabJson.comparison(c)));
            o.println("wrote " + out);
            o.flush();
            compute.printProfile(err);
            return 0;
        } catch (CancellationException e) {
            ProgressBar.endLine(err);
            err.println("moescope: compare cancelled; " + out + " not written");
            err.flush();
            return SweepCommand.CANCELLED;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private RoutingChange routing() {
        RoutingChange.Rule r = null;
        if (rule != null) {
            try {
                r = RoutingChange.Rule.valueOf(rule.strip().toUpperCase(Locale.ROOT).replace('-', '_'));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--rule: unknown rule '" + rule + "'; use softmax-topk, noisy-topk, gumbel-topk, sigmoid-bias or group-limited");
            }
        }
        Set<Integer> disabled = new LinkedHashSet<>(disable);
        for (int e : disabled) if (e < 0) throw new IllegalArgumentException("--disable: expert " + e + " is negative");
        RoutingChange rc = RoutingChange.NONE.withRule(r).withK(k).withCapacity(capacity).withDisabled(disabled);
        if (r == RoutingChange.Rule.NOISY_TOPK) rc = rc.withNoise(noise, seed);
        if (r == RoutingChange.Rule.GUMBEL_TOPK) rc = rc.withTemperature(temperature, seed);
        return rc;
    }

    private AttentionPattern attention(int tokens) {
        if (window == 0 && keepTopK == 0 && !globalFirst) {
            if (stride != 1) throw new IllegalArgumentException("--stride needs --window");
            return null;
        }
        boolean[] global = null;
        if (globalFirst) {
            global = new boolean[tokens];
            global[0] = true;
        }
        try {
            return new AttentionPattern(window, window == 0 ? 1 : stride, global, keepTopK);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--window/--stride/--keep-top-k: " + e.getMessage());
        }
    }

    private static NumberFormat format(String option, String name) {
        try {
            return NumberFormat.parse(name);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option + ": " + e.getMessage());
        }
    }
}
