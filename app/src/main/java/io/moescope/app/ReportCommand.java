package io.moescope.app;

import io.moescope.analysis.Analysis;
import io.moescope.analysis.AnalysisProfiler;
import io.moescope.analysis.LoadedModel;
import io.moescope.analysis.RunProfile;
import io.moescope.backend.profile.Profiler;
import io.moescope.files.CheckpointException;
import io.moescope.report.export.ProfileReport;
import io.moescope.report.export.ReportBuilder;
import io.moescope.report.export.Reports;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "report",
        description = {"Analyse a prompt and write the workbench's report: attention, expert load, routing,",
                "tables and every number as JSON. HTML (self-contained, images embedded) or PDF, by the",
                "file name. Needs no display."},
        footer = {"", "Examples:",
                "  moescope report --model DIR --text \"In the beginning\" --out report.html",
                "  moescope report --model DIR --text \"In the beginning\" --out report.pdf"})
final class ReportCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR|REPO", description = "HF model folder, or a repo id (org/name) in the local Hugging Face cache.")
    Path model;

    @Option(names = "--text", required = true, paramLabel = "TEXT",
            description = "Prompt; tokenized with the folder's tokenizer.json (without one: numbers are ids, other text one token per byte).")
    String text;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "report.html or report.pdf, written atomically.")
    Path out;

    @Mixin ComputeOptions compute;

    @Override
    public Integer call() {
        compute.validate();
        model = ModelFolder.require(model);
        ModelFolder.requireOutputFolder(out);
        if (text.isEmpty()) throw new IllegalArgumentException("--text is empty: at least one token is needed");
        // Charts and figures are drawn with AWT into images; no window system is involved.
        System.setProperty("java.awt.headless", "true");
        try (LoadedModel m = compute.openModel(model, spec.commandLine().getErr())) {
            Profiler profiler = compute.profiler();
            Analysis a;
            RunProfile run = null;
            try {
                if (profiler == null) {
                    a = m.analyse(text);
                } else {
                    // the report's profile is the analysis's alone, as the workbench's is: not the model's upload
                    AnalysisProfiler.Profiled p = new AnalysisProfiler(profiler).analyse(m, () -> m.analyse(text));
                    a = p.analysis();
                    run = p.profile();
                }
            } catch (IllegalArgumentException e) {
                throw new CheckpointException(model, e.getMessage());
            }
            Reports.write(ProfileReport.with(ReportBuilder.build(a, model, m.backendName(), precision(m)), run), out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        spec.commandLine().getOut().println("wrote " + out);
        spec.commandLine().getOut().flush();
        compute.printProfile(spec.commandLine().getErr());
        return 0;
    }

    /** How the checkpoint stores its weights, e.g. "weights stored as F32 (3,105,152 values)". */
    static String precision(LoadedModel m) {
        java.util.StringJoiner s = new java.util.StringJoiner(", ", "weights stored as ", "");
        m.checkpoint().dtypeCounts().forEach((dtype, n) -> s.add(dtype + String.format(java.util.Locale.ROOT, " (%,d values)", n)));
        return s.toString();
    }
}
