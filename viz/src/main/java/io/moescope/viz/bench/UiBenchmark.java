package io.moescope.viz.bench;

import io.moescope.analysis.Analysis;
import io.moescope.analysis.AnalysisService;
import io.moescope.analysis.LoadedModel;
import io.moescope.viz.workbench.WorkbenchWindow;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javafx.application.Platform;
import javafx.scene.Scene;
import javafx.stage.Stage;

/**
 * The workbench's three performance figures (not a test: numbers vary by machine):
 * <ol>
 * <li>a full analysis (forward pass with every probe, plus the derived figures) of a 256-token prompt;</li>
 * <li>redrawing a 2048 x 2048 attention heatmap after a change, until the frame is on screen
 *     ({@link HeatmapBenchmark});</li>
 * <li>the longest the FX thread is blocked while the window analyses prompts ({@link StallProbe}),
 *     separately for the first analysis after a tab is shown (which draws that tab for the first
 *     time) and for the later ones; with {@code -Dmoescope.bench.stalls=N} also the N places the
 *     FX thread was seen most while a task waited; then, without the probe, the CPU time the FX
 *     and render threads spend per analysis.</li>
 * </ol>
 * Runnable as {@code moescope bench-ui} or as a plain main: {@code UiBenchmark MODEL_DIR [RUNS]}.
 */
public final class UiBenchmark {
    private UiBenchmark() {}

    static final int PROMPT_TOKENS = 256;
    private static final String TEXT = "In the beginning God created the heaven and the earth. And the earth was without form, "
            + "and void; and darkness was upon the face of the deep. And the Spirit of God moved upon the face of the waters. "
            + "And God said, Let there be light: and there was light. And God saw the light, that it was good: and God divided "
            + "the light from the darkness. ";

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: UiBenchmark MODEL_DIR [RUNS]");
            System.exit(2);
        }
        PrintWriter out = new PrintWriter(System.out, true);
        run(Path.of(args[0]), args.length > 1 ? Integer.parseInt(args[1]) : 20, out);
        System.exit(0);
    }

    public static void run(Path model, int runs, PrintWriter out) throws Exception {
        out.printf(Locale.ROOT, "model %s, %d CPU cores, java %s, load average %s%n", model, Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"), loadAverage());
        String prompt;
        try (LoadedModel m = LoadedModel.open(model, "java")) {
            prompt = promptOf(m, PROMPT_TOKENS);
            int[] ids = Arrays.copyOf(m.encode(prompt).ids(), PROMPT_TOKENS);
            List<Double> total = new ArrayList<>(), forward = new ArrayList<>();
            for (int i = 0; i < 5; i++) AnalysisService.analyse(m.model(), ids);   // JIT warm-up
            for (int i = 0; i < runs; i++) {
                Analysis a = AnalysisService.analyse(m.model(), ids);
                total.add(a.totalNanos() / 1e6);
                forward.add(a.forwardNanos() / 1e6);
            }
            out.println("1. full analysis of a " + PROMPT_TOKENS + "-token prompt (forward with all probes + derived figures), java backend:");
            out.println("   total   " + Timings.summary(total));
            out.println("   forward " + Timings.summary(forward));
        }
        out.flush();

        FxThread.start();
        out.println("rendering pipeline: " + FxThread.call(UiBenchmark::pipeline));
        HeatmapBenchmark.run(runs, out);
        stall(model, prompt, Math.max(5, runs / 2), out);
        Platform.exit();
    }

    /** A text of at least n tokens (the demo text repeated), cut back word by word to about n. */
    static String promptOf(LoadedModel m, int n) {
        StringBuilder s = new StringBuilder();
        while (m.encode(s.toString()).ids().length < n) s.append(TEXT);
        String text = s.toString();
        while (m.encode(text).ids().length > n && text.lastIndexOf(' ') > 0) text = text.substring(0, text.lastIndexOf(' '));
        return text;
    }

    static void stall(Path model, String prompt, int analyses, PrintWriter out) throws Exception {
        // Pass 1: how late does the FX thread run a task posted to it? First while the window opens,
        // loads the model and analyses the prompt the first time (classes loading, JIT cold); then
        // per view: the first analysis after a tab is shown also draws that tab for the first time,
        // the others only update it.
        String opening = "opening: window, model, first analysis";
        StallProbe probe = new StallProbe(FxThread.call(Thread::currentThread), opening);
        WorkbenchWindow w = FxThread.call(() -> {
            Stage stage = new Stage();
            WorkbenchWindow win = new WorkbenchWindow(stage);
            stage.setScene(new Scene(win.root(), 1400, 900));
            stage.show();
            win.open(model, prompt);
            return win;
        });
        waitIdle(w);
        List<String> views = List.of("attention", "load", "routing");
        for (String view : views) {
            for (int i = 0; i < analyses; i++) {
                probe.phase(phase(view, i));
                analyseOnce(w, view, prompt, i);
            }
        }
        Map<String, List<Double>> delays = probe.stop();
        List<Double> all = new ArrayList<>(), steady = new ArrayList<>();
        delays.forEach((phase, d) -> {
            if (!phase.equals(opening)) all.addAll(d);
            if (phase.startsWith("later")) steady.addAll(d);
        });
        out.println("3. FX thread while the window analyses " + views.size() * analyses + " prompts of about " + PROMPT_TOKENS
                + " tokens (attention, load and routing views shown in turn):");
        out.println("   how late a task posted to the FX thread runs (one at a time, every 2 ms):");
        out.println("   all analyses                     " + Timings.summary(all));
        out.println("   analyses into an already shown tab " + Timings.summary(steady));
        delays.forEach((phase, d) -> out.printf(Locale.ROOT, "     %-34s %s%n", phase, Timings.summary(d)));
        // the analyses' stalls apart from the opening's, which (classes loading, JIT cold) would crowd them out
        int n = Integer.getInteger("moescope.bench.stalls", 0);
        List<String> hot = new ArrayList<>(probe.hotStalls(n, p -> !p.equals(opening)));
        hot.addAll(probe.hotStalls(n, opening::equals));
        if (!hot.isEmpty()) out.println("   where the FX thread was while a task waited over " + StallProbe.SAMPLE_AFTER_MS + " ms:");
        for (String h : hot) out.println("     " + h);

        // Pass 2, without the probe: the CPU time the FX and render threads spend per analysis.
        out.println("   CPU time per analysis (what the threads themselves spent, which the machine's load does not inflate):");
        for (String view : views) {
            List<Double> fxCpu = new ArrayList<>(), renderCpu = new ArrayList<>();
            for (int i = 0; i < analyses; i++) {
                long[] before = Cpu.now();
                analyseOnce(w, view, prompt, i);
                long[] after = Cpu.now();
                fxCpu.add((after[0] - before[0]) / 1e6);
                renderCpu.add((after[2] - before[2]) / 1e6);
            }
            out.printf(Locale.ROOT, "   %-9s FX thread %s%n", view, Timings.summary(fxCpu));
            out.printf(Locale.ROOT, "   %-9s renderer  %s%n", "", Timings.summary(renderCpu));
        }
        out.flush();
        FxThread.call(() -> {
            w.close();
            return null;
        });
    }

    private static String phase(String view, int analysis) {
        return analysis == 0 ? "first analysis after showing " + view : "later analyses, " + view;
    }

    /** Shows the view, changes the prompt (a different one each time) and waits for the analysis to be drawn. */
    private static void analyseOnce(WorkbenchWindow w, String view, String prompt, int i) throws Exception {
        String p = prompt.substring(0, prompt.length() - 1 - (i % 3));
        FxThread.call(() -> {
            w.showView(view);
            w.state().prompt.set(p);
            w.controller().analyseNow();
            return null;
        });
        waitIdle(w);
    }

    /** Which Prism pipeline draws (es2 = OpenGL, sw = software): it sets what a frame costs. Internal API, so best effort. */
    private static String pipeline() {
        try {
            return com.sun.prism.GraphicsPipeline.getPipeline().getClass().getSimpleName();
        } catch (Throwable t) {
            return "unknown";
        }
    }

    private static void waitIdle(WorkbenchWindow w) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
        while (System.nanoTime() < deadline) {
            Thread.sleep(20);
            if (FxThread.call(() -> w.controller().isIdle() && w.state().analysis.get() != null)) {
                Thread.sleep(50);   // let the views' own updates run
                return;
            }
        }
        throw new IllegalStateException("the analysis did not finish");
    }

    /** The machine's 1-minute load average: the figures mean little when other work shares the cores. */
    private static String loadAverage() {
        double l = java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        return l < 0 ? "unknown" : String.format(Locale.ROOT, "%.1f", l);
    }
}
