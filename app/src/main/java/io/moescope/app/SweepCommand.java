package io.moescope.app;

import io.moescope.analysis.LoadedModel;
import io.moescope.analysis.Prompt;
import io.moescope.files.CheckpointException;
import io.moescope.files.InputFiles;
import io.moescope.train.ProgressBar;
import io.moescope.lab.LabService;
import io.moescope.lab.SweepKind;
import io.moescope.lab.SweepResult;
import io.moescope.report.export.Reports;
import io.moescope.report.lab.LabJson;
import io.moescope.report.lab.LabReport;
import io.moescope.report.lab.SweepValues;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "sweep",
        description = {"Change one mechanism step by step and measure each setting against the unchanged model on a text:",
                "experts per token (topk), sliding-window size (window), keys kept per query (sparsity), capacity factor",
                "(capacity) or weight precision (precision). Writes the charts and the table as a report (HTML or PDF,",
                "by the file name); progress goes to stderr. Needs no display."},
        footer = {"", "Examples:",
                "  moescope sweep --model DIR --text corpus.txt --what topk --out topk.html",
                "  moescope sweep --model DIR --text corpus.txt --what window --values 4,8,16,32 --chunk 64 --out window.pdf",
                "  moescope sweep --model DIR --text corpus.txt --what precision --values bf16,fp8-e4m3,int8,int4-g32 --out p.html --json"})
final class SweepCommand implements Callable<Integer> {
    /** Exit code of a run stopped by Ctrl-C, as shells report SIGINT. */
    static final int CANCELLED = 130;

    @Spec CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR|REPO", description = "HF model folder, or a repo id (org/name) in the local Hugging Face cache.")
    Path model;

    @Option(names = "--text", required = true, paramLabel = "FILE", description = "UTF-8 text file to measure on, cut into chunks of --chunk tokens.")
    Path text;

    @Option(names = "--what", required = true, paramLabel = "KIND", description = "What to sweep: topk, window, sparsity, capacity or precision.")
    String what;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "report.html or report.pdf, written atomically.")
    Path out;

    @Option(names = "--values", paramLabel = "V,V,...",
            description = "Settings to try, comma-separated (default: the model's range, e.g. k = 1..E). For precision: format names "
                    + "(bf16, fp16, fp8-e4m3, fp8-e5m2, int8, int4-g32, int4-g128).")
    String values;

    @Option(names = "--chunk", paramLabel = "N", defaultValue = "128", description = "Tokens per forward pass (default ${DEFAULT-VALUE}).")
    int chunk;

    @Option(names = "--json", description = "Also print the sweep's numbers as JSON on stdout.")
    boolean json;

    @Mixin ComputeOptions compute;

    @Override
    public Integer call() {
        SweepKind kind = SweepKind.parse(what);
        List<Double> settings;
        try {
            settings = SweepValues.parse(kind, values);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--values: " + e.getMessage());
        }
        if (chunk < 2) throw new IllegalArgumentException("--chunk must be at least 2 tokens, got " + chunk);
        compute.validate();
        model = ModelFolder.require(model);
        String content = readText(ModelFolder.requireFile(text));
        ModelFolder.requireOutputFolder(out);
        System.setProperty("java.awt.headless", "true");   // charts are drawn into images with AWT

        PrintWriter err = spec.commandLine().getErr();
        // Ctrl-C: stop between forward passes; nothing has been written yet, and nothing will be.
        try (StopOnInterrupt stop = new StopOnInterrupt(60); LoadedModel m = compute.openModel(model, spec.commandLine().getErr())) {
            Prompt p = m.encode(content);
            if (p.ids().length < 2) throw new CheckpointException(text, "fewer than 2 tokens of text: nothing to predict");
            int bad = firstOutOfVocabulary(p.ids(), m.config().vocabSize());
            if (bad >= 0) throw new CheckpointException(text, "token id " + bad + " is outside the vocabulary of " + m.config().vocabSize());
            List<int[]> chunks = LabService.chunks(p.ids(), chunk);
            long started = System.nanoTime();
            SweepResult r = LabService.on(m, chunks, lab -> lab.sweep(chunks, kind, settings,
                    (done, total, msg) -> progress(err, done, total, msg), stop::stopped));
            ProgressBar.endLine(err);
            err.printf(Locale.ROOT, "swept %d values over %d tokens in %.1f s%n", r.points().size(), r.tokens(), (System.nanoTime() - started) / 1e9);
            err.flush();
            Reports.write(LabReport.sweep(r, model, m.backendName()), out);
            compute.printProfile(err);
            PrintWriter o = spec.commandLine().getOut();
            if (json) o.println(LabJson.pretty(LabJson.sweep(r)));
            o.println("wrote " + out);
            o.flush();
            return 0;
        } catch (CancellationException e) {
            ProgressBar.endLine(err);
            err.println("moescope: sweep cancelled; " + out + " not written");
            err.flush();
            return CANCELLED;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The first id outside [0, vocab), or -1: the lab would fail on it deep inside a forward pass. */
    static int firstOutOfVocabulary(int[] ids, int vocab) {
        for (int id : ids) if (id < 0 || id >= vocab) return id;
        return -1;
    }

    private static String readText(Path file) {
        String s = InputFiles.readUtf8(file, InputFiles.MAX_TEXT_BYTES);
        if (s.isBlank()) throw new CheckpointException(file, "the text is empty");
        return s;
    }

    /** One self-overwriting progress line on stderr. */
    static void progress(PrintWriter err, long done, long total, String message) {
        int width = 24, filled = total <= 0 ? 0 : (int) Math.min(width, Math.round(width * (double) done / total));
        ProgressBar.opened();
        err.print("\r[" + "#".repeat(filled) + ".".repeat(width - filled) + "] " + done + "/" + total + " " + message + "   ");
        err.flush();
    }
}
