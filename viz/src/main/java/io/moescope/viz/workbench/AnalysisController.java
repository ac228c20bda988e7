package io.moescope.viz.workbench;

import io.moescope.analysis.Analysis;
import io.moescope.analysis.AnalysisProfiler;
import io.moescope.analysis.BatchAnalysis;
import io.moescope.analysis.BatchAnalysisService;
import io.moescope.analysis.LoadedModel;
import io.moescope.analysis.Prompt;
import io.moescope.backend.select.Backends;
import io.moescope.grad.GradientFlow;
import io.moescope.grad.GradientFlowReport;
import io.moescope.lab.Comparison;
import io.moescope.lab.LabService;
import io.moescope.lab.Mechanism;
import io.moescope.lab.SweepKind;
import io.moescope.lab.SweepResult;
import io.moescope.viz.session.RecentModels;
import io.moescope.viz.state.Notice;
import io.moescope.viz.state.WorkbenchState;
import io.moescope.viz.thread.BackgroundPriority;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import javafx.animation.PauseTransition;
import javafx.application.Platform;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.concurrent.Task;
import javafx.util.Duration;

/**
 * Runs model loading and analyses off the FX thread, one at a time on a single compute thread, and
 * publishes results into the {@link WorkbenchState}. A new request cancels the previous one: its
 * result, should it still arrive, is dropped. Prompt edits are debounced so typing stays fluid.
 * Every analysis is profiled on the compute thread and its profile published with it.
 */
public final class AnalysisController implements AutoCloseable {
    private static final Duration DEBOUNCE = Duration.millis(300);

    private final WorkbenchState state;
    private final ExecutorService compute = Executors.newSingleThreadExecutor(r -> BackgroundPriority.thread(r, "moescope-compute"));
    private final PauseTransition debounce = new PauseTransition(DEBOUNCE);
    private final ObjectProperty<Task<?>> running = new SimpleObjectProperty<>(this, "running");
    private final AnalysisProfiler profiler = new AnalysisProfiler();
    private Task<AnalysisProfiler.Profiled> analysisTask;
    /** The last task's failure, for the headless screenshot, which must not save a picture of an error. */
    private final ObjectProperty<Throwable> failure = new SimpleObjectProperty<>(this, "failure");

    public AnalysisController(WorkbenchState state) {
        this.state = state;
        // the collector's and compilers' concurrent threads, like the analysis, wait for the window
        BackgroundPriority.lowerJvmBackgroundThreads();
        debounce.setOnFinished(e -> analyseNow());
        state.prompt.addListener((o, a, b) -> debounce.playFromStart());
    }

    /** The task in progress, for the progress bar and cancel button; null when idle. */
    public ReadOnlyObjectProperty<Task<?>> runningProperty() {
        return running;
    }


    /** Loads a model folder on the current backend, then analyses the prompt. */
    public void openModel(Path dir) {
        if (dir == null) {   // a file dropped from the root of a file system has no folder
            state.notices.add(Notice.warning("Nothing to open", "drop or choose a model folder (config.json and *.safetensors)"));
            return;
        }
        String backend = state.backend.get();
        cancel();
        state.activeBackend.set("");   // until the model says where it runs
        Task<LoadedModel> task = new Task<>() {
            @Override
            protected LoadedModel call() {
                updateMessage("loading " + dir.getFileName() + " on " + backend + " …");
                updateProgress(-1, 1);
                // A full GPU moves the model to the CPU; the user hears of it, and the status bar shows it.
                return LoadedModel.open(dir, profiler.wrap(Backends.open(backend, computeThreads())), fallback());
            }
        };
        submit(task, "Model not opened", loaded -> {
            LoadedModel old = state.model.get();
            state.analysis.set(null);
            state.profile.set(null);
            state.batch.set(null);
            state.comparison.set(null);
            state.sweep.set(null);
            state.modelDir.set(dir);
            state.model.set(loaded);
            state.activeBackend.set(loaded.backendName());
            if (old != null) compute.execute(old::close);   // after anything still running on it
            state.message.set("loaded " + dir.getFileName() + " on " + loaded.backendName());
            RecentModels.add(dir);
            analyseNow();
        });
    }

    private LoadedModel.Fallback fallback() {
        return new LoadedModel.Fallback(true, computeThreads(),
                notice -> Platform.runLater(() -> state.notices.add(Notice.warning("Running on the CPU", notice))), profiler::wrap);
    }

    /**
     * CPU threads for the java backend: all cores but one, which stays free for the FX thread, so
     * that the window keeps drawing while an analysis runs (on a 2-core machine the difference
     * between a fluid window and one that stalls for the length of a forward pass).
     */
    static int computeThreads() {
        return Math.max(1, Runtime.getRuntime().availableProcessors() - 1);
    }

    /** Analyses the current prompt at once (no debounce), cancelling a run in progress. */
    public void analyseNow() {
        debounce.stop();
        LoadedModel m = state.model.get();
        String text = state.prompt.get();
        if (m == null || text == null || text.isEmpty()) return;
        if (analysisTask != null) analysisTask.cancel();
        Task<AnalysisProfiler.Profiled> task = new Task<>() {
            @Override
            protected AnalysisProfiler.Profiled call() {
                updateMessage("analysing …");
                updateProgress(-1, 1);
                Prompt p = m.encode(text);
                if (isCancelled()) throw new CancellationException();
                // The prompt-length limit and the memory estimate are checked there, before the pass,
                // as for the command line; a refusal leaves the previous analysis on screen.
                AnalysisProfiler.Profiled r = profiler.analyse(m, () -> m.analyse(p));
                if (p.note() != null) updateMessage(p.note());
                return r;
            }
        };
        analysisTask = task;
        submit(task, "Analysis refused or failed", r -> {
            if (task != analysisTask || state.model.get() != m) return;   // superseded
            Analysis a = r.analysis();
            state.activeBackend.set(m.backendName());
            state.selection.clamp(a.tokenCount(), a.layers(), a.config().numExperts());
            state.gradients.set(null);
            state.comparison.set(null);   // it compared another prompt
            state.profile.set(r.profile());
            state.analysis.set(a);
            String note = task.getMessage() != null && task.getMessage().startsWith("no tokenizer") ? " · " + task.getMessage() : "";
            state.message.set(String.format(Locale.ROOT, "analysed %d tokens in %.1f ms", a.tokenCount(), a.totalNanos() / 1e6) + note);
        });
    }

    /** Gradient flow of the current prompt (a backward pass), for the gradient view. */
    public void analyseGradients(double learningRate) {
        LoadedModel m = state.model.get();
        Analysis a = state.analysis.get();
        if (m == null || a == null) return;
        if (a.tokenCount() < 2) {
            state.message.set("gradients need at least two tokens (the loss predicts the next one)");
            return;
        }
        Task<GradientFlowReport> task = new Task<>() {
            @Override
            protected GradientFlowReport call() {
                updateMessage("backward pass …");
                updateProgress(-1, 1);
                m.checkLimits(a.tokenCount(), null, true);   // a backward pass holds gradients and activations
                return m.onDevice(model -> GradientFlow.analyze(model, a.ids(), learningRate));
            }
        };
        submit(task, "Gradients failed", g -> {
            state.activeBackend.set(m.backendName());
            if (state.analysis.get() != a) return;   // the prompt changed meanwhile
            state.gradients.set(g);
            state.message.set(String.format(Locale.ROOT, "gradients of %d tokens: total norm %.4g", g.tokens(), g.totalGradNorm()));
        });
    }

    /** Expert load over a whole text file, in chunks, with progress; cancellable between chunks. */
    public void analyseFile(Path text, int chunkTokens) {
        LoadedModel m = state.model.get();
        if (m == null) return;
        cancel();
        Task<BatchAnalysis> task = new Task<>() {
            @Override
            protected BatchAnalysis call() {
                return BatchAnalysisService.analyse(m, text, chunkTokens, (done, total, msg) -> {
                    updateProgress(done, total);
                    updateMessage(msg);
                }, this::isCancelled);
            }
        };
        submit(task, "Text file not analysed", b -> {
            state.activeBackend.set(m.backendName());
            state.batch.set(b);
            state.message.set(String.format(Locale.ROOT, "%s: %d tokens in %d chunks", text.getFileName(), b.tokens(), b.chunks()));
        });
    }

    /**
     * The mechanism lab's comparison of the current prompt: the baseline and the variant side by
     * side, with progress; cancellable like an analysis.
     */
    public void compare(Mechanism variant) {
        LoadedModel m = state.model.get();
        Analysis a = state.analysis.get();
        if (m == null || a == null) {
            state.message.set("analyse a prompt first");
            return;
        }
        cancel();
        Task<Comparison> task = new Task<>() {
            @Override
            protected Comparison call() {
                updateMessage("comparing " + variant.label() + " with the baseline …");
                updateProgress(-1, 1);
                return LabService.on(m, a.ids().length, lab -> lab.compare(a.ids(), a.tokens(), variant, (done, total, msg) -> {
                    updateProgress(done, total);
                    updateMessage(msg);
                }, this::isCancelled));
            }
        };
        submit(task, "Comparison failed", c -> {
            if (state.analysis.get() != a) return;   // the prompt changed meanwhile
            state.comparison.set(c);
            state.message.set(String.format(Locale.ROOT, "%s: mean KL %.4g, top-1 agreement %.3f, routing flips %.3f",
                    c.mechanism().label(), c.metrics().meanKl(), c.metrics().top1Agreement(), c.metrics().meanRoutingFlips()));
        });
    }

    /**
     * A sweep over the current prompt, or over a text file when {@code textFile} is not null (cut
     * into chunks of {@code chunkTokens}), with progress per value and chunk; cancellable.
     */
    public void sweep(SweepKind kind, List<Double> values, Path textFile, int chunkTokens) {
        LoadedModel m = state.model.get();
        String prompt = state.prompt.get();
        if (m == null) return;
        cancel();
        Task<SweepResult> task = new Task<>() {
            @Override
            protected SweepResult call() throws Exception {
                updateMessage("sweeping " + kind.cliName() + " …");
                updateProgress(-1, 1);
                String text = textFile == null ? prompt : io.moescope.files.InputFiles.readUtf8(textFile, io.moescope.files.InputFiles.MAX_TEXT_BYTES);
                int[] ids = m.encode(text).ids();
                if (ids.length < 2) throw new IllegalArgumentException((textFile == null ? "the prompt" : textFile.toString()) + ": fewer than 2 tokens");
                List<int[]> chunks = textFile == null ? List.<int[]>of(ids) : LabService.chunks(ids, chunkTokens);
                return LabService.on(m, chunks, lab -> lab.sweep(chunks, kind, values, (done, total, msg) -> {
                    updateProgress(done, total);
                    updateMessage(msg);
                }, this::isCancelled));
            }
        };
        submit(task, "Sweep failed", r -> {
            state.sweep.set(r);
            state.message.set(String.format(Locale.ROOT, "swept %s over %d values on %d tokens", kind.cliName(), r.points().size(), r.tokens()));
        });
    }

    /** Any other work off the FX thread (report export), with the progress bar and cancel button. */
    public <T> void run(String message, java.util.concurrent.Callable<T> work, Consumer<T> done) {
        Task<T> task = new Task<>() {
            @Override
            protected T call() throws Exception {
                updateMessage(message);
                updateProgress(-1, 1);
                return work.call();
            }
        };
        submit(task, "Failed " + message.replace(" …", "").strip(), done);
    }

    /** Stops waiting for the running task; its result will be ignored. */
    public void cancel() {
        debounce.stop();
        // A run that finished just before the cancel may have its success already queued on the FX
        // thread: forgetting it makes that handler see the run as superseded and drop the result.
        analysisTask = null;
        Task<?> t = running.get();
        if (t != null) t.cancel();
        running.set(null);
    }

    /** @param failureTitle the notification's title when the task fails, e.g. "Model not opened" */
    private <T> void submit(Task<T> task, String failureTitle, Consumer<T> onSuccess) {
        task.setOnSucceeded(e -> {
            if (running.get() == task) running.set(null);
            onSuccess.accept(task.getValue());
        });
        task.setOnFailed(e -> {
            if (running.get() == task) running.set(null);
            failure.set(task.getException());
            // Nothing on screen changes but the notification: the last good results stay.
            state.fail(failureTitle, task.getException());
        });
        task.setOnCancelled(e -> {
            if (running.get() == task) running.set(null);
        });
        running.set(task);
        compute.execute(task);
    }

    public ReadOnlyObjectProperty<Throwable> failureProperty() {
        return failure;
    }

    /** True when nothing is queued, debouncing or running (tests and the headless screenshot wait for this). */
    public boolean isIdle() {
        return running.get() == null && debounce.getStatus() != javafx.animation.Animation.Status.RUNNING;
    }

    /** The compute thread, for other off-FX-thread work that touches the model (tensor statistics). */
    public java.util.concurrent.Executor executor() {
        return compute;
    }

    @Override
    public void close() {
        cancel();
        LoadedModel m = state.model.get();
        if (m != null) compute.execute(m::close);
        compute.shutdown();
    }
}
