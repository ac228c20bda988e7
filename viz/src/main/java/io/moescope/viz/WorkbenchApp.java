package io.moescope.viz;

import io.moescope.viz.session.SessionFiles;
import io.moescope.viz.session.SessionKeeper;
import io.moescope.viz.view.AnalysisView;
import io.moescope.viz.widget.ChartPane;
import io.moescope.viz.workbench.WorkbenchWindow;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import javafx.animation.AnimationTimer;
import javafx.application.Application;
import javafx.application.Platform;
import javafx.scene.Scene;
import javafx.stage.Stage;

/**
 * The JavaFX application. Started only through {@link Workbench#open}, which passes what to open as
 * named parameters and collects any failure from {@link #failure}.
 */
public final class WorkbenchApp extends Application {
    static final String MODEL = "model", TEXT = "text", VIEW = "view", SCREENSHOT = "screenshot", SESSION = "session",
            RESTORE = "restore";
    public static final int WIDTH = 1400, HEIGHT = 900;
    /** The demo prompt analysed when a model opens without one. */
    private static final String DEMO_PROMPT = "In the beginning God created the heaven and the earth.";
    /** Frames to wait after the data arrived, so that CSS, layout and the first paint have happened. */
    private static final int SETTLE_FRAMES = 4;
    /** A headless run gives up after this long rather than hang a script. */
    private static final long SCREENSHOT_TIMEOUT_NANOS = 180_000_000_000L;

    /** Failures after start() returns happen on the FX thread; launch() cannot throw them, so they land here. */
    static final AtomicReference<Throwable> failure = new AtomicReference<>();

    private WorkbenchWindow window;

    @Override
    public void start(Stage stage) throws Exception {
        Map<String, String> named = getParameters().getNamed();
        window = new WorkbenchWindow(stage);
        window.notifyUncaughtFailures();
        stage.setScene(new Scene(window.root(), WIDTH, HEIGHT));
        stage.show();
        Path model = named.containsKey(MODEL) ? Path.of(named.get(MODEL)) : null;
        String text = named.getOrDefault(TEXT, DEMO_PROMPT);
        Path autosave = SessionKeeper.defaultAutosaveFile();
        if (named.containsKey(SESSION)) {
            openSession(Path.of(named.get(SESSION)), model, text);
        } else if (named.containsKey(RESTORE)) {
            window.sessions().restoreAutosave(autosave, model, text);
        } else {
            window.open(model, text);
        }
        // A headless screenshot is a reproducible picture, not the user's work: it must not replace the autosave.
        if (!named.containsKey(SCREENSHOT)) window.sessions().autosaveTo(autosave);
        if (named.containsKey(VIEW)) {
            window.showView(named.get(VIEW));
            if (named.containsKey(SCREENSHOT)) window.runLabDemo(named.get(VIEW));
        }
        if (named.containsKey(SCREENSHOT)) screenshotThenExit(stage.getScene(), Path.of(named.get(SCREENSHOT)));
    }

    /** A session file that cannot be read is a notification, then an ordinary start, never a dead window. */
    private void openSession(Path file, Path model, String text) {
        try {
            window.sessions().restore(SessionFiles.read(file));
        } catch (java.io.IOException | RuntimeException e) {
            window.state().fail("Session not opened", new java.io.IOException(file + ": " + io.moescope.viz.state.Notice.oneLine(e), e));
            window.open(model, text);
        }
    }

    @Override
    public void stop() {
        if (window != null) window.close();
    }

    /** Waits until the model is loaded, analysed and the shown view has data, then saves the scene. */
    private void screenshotThenExit(Scene scene, Path file) {
        long start = System.nanoTime();
        new AnimationTimer() {
            private int settled;

            @Override
            public void handle(long now) {
                Throwable failed = window.controller().failureProperty().get();
                if (failed == null && System.nanoTime() - start > SCREENSHOT_TIMEOUT_NANOS) {
                    failed = new IllegalStateException("timed out waiting for the analysis to render");
                }
                if (failed != null) {
                    stop();
                    failure.set(failed);
                    window.quietNotifications();
                    Platform.exit();
                    return;
                }
                if (!ready()) {
                    settled = 0;
                    return;
                }
                if (++settled < SETTLE_FRAMES) return;
                stop();
                try {
                    PngSnapshot.write(scene, file);
                } catch (Throwable t) {
                    failure.set(t);
                } finally {
                    window.quietNotifications();
                    Platform.exit();
                }
            }
        }.start();
    }

    private boolean ready() {
        if (!window.controller().isIdle()) return false;
        if (window.state().modelDir.get() == null) return true;   // nothing to wait for: the welcome page
        AnalysisView v = window.currentView();
        return window.state().model.get() != null && v.hasData() && ChartPane.allDrawn(v.node());
    }
}
