package io.moescope.app;

import io.moescope.checkpoint.Checkpoint;
import io.moescope.files.CheckpointException;
import io.moescope.grad.ComponentFlow;
import io.moescope.grad.GradientFlow;
import io.moescope.grad.GradientFlowJson;
import io.moescope.grad.GradientFlowReport;
import io.moescope.grad.LayerFlow;
import io.moescope.model.ModelLoader;
import io.moescope.model.MoeModel;
import io.moescope.tokenizer.Tokenizer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "gradients",
        description = {"How the loss's gradient flows back through the model for a prompt or a text:",
                "norms per layer and component (q, k, v, o or the MLA projections, norms, router, each expert,",
                "shared experts, embeddings, output), residual-stream gradient norms, update-to-weight ratios",
                "for a learning rate, tokens per expert, and vanishing or exploding layers."},
        footer = {"", "Examples:",
                "  moescope gradients --model MODEL --text \"In the beginning\" --json",
                "  moescope gradients --model MODEL --file corpus.txt --seq 128 --max-sequences 16"})
final class GradientsCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR|REPO", description = "HF model folder, or a repo id (org/name) in the local Hugging Face cache.")
    Path model;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Input input;

    static final class Input {
        @Option(names = "--ids", required = true, paramLabel = "IDS", description = "Token ids, comma-separated.")
        String ids;

        @Option(names = "--text", required = true, paramLabel = "TEXT", description = "Text, tokenized with the model's tokenizer.json.")
        String text;

        @Option(names = "--file", required = true, paramLabel = "FILE", description = "A text file, cut into windows of --seq tokens (a batch).")
        Path file;
    }

    @Option(names = "--seq", paramLabel = "T", defaultValue = "128", description = "Window length for --file (default ${DEFAULT-VALUE}).")
    int seq;

    @Option(names = "--max-sequences", paramLabel = "N", defaultValue = "16", description = "Windows of --file to average over (default ${DEFAULT-VALUE}).")
    int maxSequences;

    @Option(names = "--lr", paramLabel = "RATE", defaultValue = "1e-3", description = "Learning rate for the update-to-weight ratios (default ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--aux-loss", description = "Include the load-balancing loss with the model's router_aux_loss_coef.")
    boolean auxLoss;

    @Option(names = "--json", description = "Print the whole report as JSON.")
    boolean json;

    @Mixin ComputeOptions compute;

    @Override
    public Integer call() throws IOException {
        compute.validate();
        if (!(lr > 0) || Double.isInfinite(lr)) throw new IllegalArgumentException("--lr must be a positive number, got " + lr);
        if (maxSequences < 1) throw new IllegalArgumentException("--max-sequences must be at least 1, got " + maxSequences);
        model = ModelFolder.require(model);
        List<int[]> sequences = sequences();
        GradientFlowReport report;
        try (Checkpoint ckpt = Checkpoint.open(model)) {
            report = compute.run(spec.commandLine().getErr(), backend -> {
                MoeModel m = ModelLoader.load(ckpt, backend);
                for (int[] s : sequences) checkIds(m, s);
                return GradientFlow.analyze(m, sequences, lr, auxLoss ? m.config().routerAuxLossCoef() : 0);
            });
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println(json ? GradientFlowJson.text(report) : table(report));
        out.flush();
        compute.printProfile(spec.commandLine().getErr());
        return 0;
    }

    private List<int[]> sequences() throws IOException {
        if (input.ids != null) return List.of(atLeastTwo(TokenIds.parse(input.ids)));
        try (Tokenizer tok = Tokenizer.load(model)) {
            if (input.text != null) return List.of(atLeastTwo(tok.encode(input.text)));
            int[] ids = tok.encode(io.moescope.files.InputFiles.readUtf8(ModelFolder.requireFile(input.file), io.moescope.files.InputFiles.MAX_TEXT_BYTES));
            if (seq < 2) throw new IllegalArgumentException("--seq must be at least 2, got " + seq);
            List<int[]> out = new ArrayList<>();
            for (int s = 0; s + seq <= ids.length && out.size() < maxSequences; s += seq) out.add(Arrays.copyOfRange(ids, s, s + seq));
            if (out.isEmpty()) throw new CheckpointException(input.file, "shorter than one window of " + seq + " tokens");
            return out;
        }
    }

    private static int[] atLeastTwo(int[] ids) {
        if (ids.length < 2) throw new IllegalArgumentException("gradients need at least two tokens (the loss predicts each next one), got " + ids.length);
        return ids;
    }

    private void checkIds(MoeModel m, int[] ids) {
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= m.config().vocabSize()) {
                throw new CheckpointException(model, "token id " + ids[i] + " at position " + i + " is outside the vocabulary (0.."
                        + (m.config().vocabSize() - 1) + ")");
            }
        }
    }

    /** A readable summary: one line per layer, its three largest components, then flags. */
    private static String table(GradientFlowReport r) {
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "%s: %d sequence(s), %d tokens, loss %.4f, total gradient norm %.3e, lr %.1e%n",
                r.modelType(), r.sequences(), r.tokens(), r.loss(), r.totalGradNorm(), r.learningRate()));
        s.append(String.format(Locale.ROOT, "%-6s %-4s %11s %11s  %s%n", "layer", "moe", "grad norm", "dL/dh in", "largest components (grad norm, update/weight)"));
        for (LayerFlow l : r.layers()) {
            StringBuilder top = new StringBuilder();
            l.components().stream().sorted(Comparator.comparingDouble(ComponentFlow::gradNorm).reversed()).limit(3)
                    .forEach(c -> top.append(String.format(Locale.ROOT, "%s %.2e (%.1e)  ", c.name(), c.gradNorm(), c.updateRatio())));
            s.append(String.format(Locale.ROOT, "%-6d %-4s %11.3e %11.3e  %s%s%n", l.layer(), l.moe() ? "yes" : "no", l.gradNorm(),
                    l.inputResidualGradNorm(), top, l.vanishing() ? "VANISHING" : l.exploding() ? "EXPLODING" : ""));
        }
        for (ComponentFlow c : r.global()) {
            s.append(String.format(Locale.ROOT, "%-23s %11.3e  update/weight %.1e%n", c.name(), c.gradNorm(), c.updateRatio()));
        }
        return s.toString().stripTrailing();
    }
}
