package io.moescope.viz.workbench;

import static io.moescope.viz.FxCalls.fx;
import static io.moescope.viz.FxCalls.fxRun;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moescope.analysis.Analysis;
import io.moescope.backend.DeviceMemoryLimit;
import io.moescope.inspect.RunLimits;
import io.moescope.testing.Conformance;
import io.moescope.testing.OpenClRequirement;
import io.moescope.viz.state.Notice;
import io.moescope.viz.state.WorkbenchState;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.control.Labeled;
import javafx.scene.control.TextArea;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.framework.junit5.Stop;
import org.testfx.util.WaitForAsyncUtils;

/**
 * Failures reach the user as notifications and leave the window usable; the session survives a
 * restart through the autosave; the run limits and a full GPU are handled like the command line's.
 */
@ExtendWith(ApplicationExtension.class)
class ReliabilityUiTest extends WindowFixture {
    private static final Path MODEL = Conformance.dir().resolve("mixtral-a");
    private static final String PROMPT = "In the beginning God created the heaven and the earth.";

    @Start
    void start(Stage stage) {
        show(stage, 1200, 800);
    }

    @Stop
    void stop() {
        window.close();
    }

    private static void awaitAnalysis(WorkbenchWindow w) throws Exception {
        WaitForAsyncUtils.waitFor(120, TimeUnit.SECONDS, () -> fx(() -> w.controller().isIdle()
                && w.state().analysis.get() != null && w.state().model.get() != null));
        WaitForAsyncUtils.waitForFxEvents();
    }

    /** Waits for the n-th notice (counting from 1) and returns it. */
    private static Notice awaitNotice(WorkbenchWindow w, int n) throws Exception {
        WaitForAsyncUtils.waitFor(120, TimeUnit.SECONDS, () -> fx(() -> w.state().notices.size() >= n));
        WaitForAsyncUtils.waitForFxEvents();
        return fx(() -> w.state().notices.get(n - 1));
    }

    /** A notification on screen (ControlsFX shows it in a popup window of its own) whose text contains this. */
    private static boolean shown(FxRobot robot, String text) {
        return robot.lookup((Node n) -> n instanceof Labeled l && l.getText() != null && l.getText().contains(text)).tryQuery().isPresent();
    }

    @Test
    void aMalformedModelFolderIsANotificationAndTheWindowStaysUsable(FxRobot robot, @TempDir Path dir) throws Exception {
        Path bad = Files.createDirectory(dir.resolve("bad-model"));
        Files.writeString(bad.resolve("config.json"), "{\"model_type\": \"mixtral\", \"hidden_size\": ", StandardCharsets.UTF_8);
        fxRun(() -> window.controller().openModel(bad));
        Notice n = awaitNotice(window, 1);
        assertEquals(Notice.Level.ERROR, n.level());
        assertEquals("Model not opened", n.title());
        assertTrue(n.text().contains(bad.resolve("config.json").toString()), n.text());
        assertNotNull(n.details());
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> shown(robot, "config.json"));
        assertTrue(shown(robot, "Model not opened"), "the notification's title is on screen");

        // The details pane, on demand: the whole text, to read or copy.
        fxRun(() -> new Notifier(new WorkbenchState(), stage).details(n));
        WaitForAsyncUtils.waitForFxEvents();
        TextArea details = robot.lookup("#notice-details").queryAs(TextArea.class);
        assertTrue(fx(details::getText).contains("CheckpointException"), "the details name the failure");
        fxRun(() -> details.getScene().getWindow().hide());

        // Still usable: a good folder opens and is analysed.
        fxRun(() -> window.open(MODEL, PROMPT));
        awaitAnalysis(window);
        assertEquals(MODEL, fx(() -> window.state().modelDir.get()));
        assertEquals(1, fx(() -> window.state().notices.size()), "no further failure");
    }

    @Test
    void aBugInAnEventHandlerIsANotification(FxRobot robot) throws Exception {
        Thread.UncaughtExceptionHandler before = fx(() -> Thread.currentThread().getUncaughtExceptionHandler());
        try {
            fxRun(window::notifyUncaughtFailures);
            javafx.application.Platform.runLater(() -> {
                throw new IllegalStateException("a bug in a handler");
            });
            Notice n = awaitNotice(window, 1);
            assertEquals("Unexpected error", n.title());
            assertEquals("a bug in a handler", n.text());
            assertTrue(n.details().contains("IllegalStateException"), n.details());
            WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> shown(robot, "a bug in a handler"));
        } finally {
            fxRun(() -> Thread.currentThread().setUncaughtExceptionHandler(before));
        }
    }

    @Test
    void aPromptOverTheLimitIsRefusedAndThePreviousAnalysisStays(FxRobot robot) throws Exception {
        fxRun(() -> window.open(MODEL, PROMPT));
        awaitAnalysis(window);
        Analysis before = fx(() -> window.state().analysis.get());
        String limit = System.getProperty(RunLimits.MAX_TOKENS_PROPERTY);
        System.setProperty(RunLimits.MAX_TOKENS_PROPERTY, "60");
        try {
            String longer = PROMPT + " And the earth was without form.";   // one token per byte: 86 tokens
            fxRun(() -> {
                window.state().prompt.set(longer);
                window.controller().analyseNow();
            });
            Notice n = awaitNotice(window, 1);
            assertEquals(Notice.Level.ERROR, n.level());
            assertTrue(n.text().contains("prompt too long: " + longer.length() + " tokens, more than the limit of 60"), n.text());
            WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> shown(robot, "more than the limit of 60"));
            WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> fx(() -> window.controller().isIdle()));
            assertSame(before, fx(() -> window.state().analysis.get()), "the previous analysis stays on screen");
        } finally {
            if (limit == null) System.clearProperty(RunLimits.MAX_TOKENS_PROPERTY);
            else System.setProperty(RunLimits.MAX_TOKENS_PROPERTY, limit);
        }
    }

    @Test
    void theAutosaveBringsThePromptBackInANewWindow(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("autosave-session.json");
        String typed = "Who can find a virtuous woman? for her price is far above rubies.";
        fxRun(() -> {
            window.sessions().autosaveTo(file);
            window.state().prompt.set(typed);
        });
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> Files.exists(file) && Files.readString(file).contains("virtuous woman"));

        WorkbenchWindow second = fx(() -> {
            Stage s = new Stage();
            WorkbenchWindow w = new WorkbenchWindow(s);
            s.setScene(new Scene(w.root(), 1000, 700));
            s.show();
            assertTrue(w.sessions().restoreAutosave(file, MODEL, PROMPT));
            return w;
        });
        try {
            assertEquals(typed, fx(() -> second.state().prompt.get()));
            Notice n = awaitNotice(second, 1);
            assertEquals("Session restored", n.title());
            assertTrue(n.text().contains(file.toString()), n.text());
            // The first window had no model: the fallback model opens, with the restored prompt.
            awaitAnalysis(second);
            assertEquals(typed.length(), fx(() -> second.state().analysis.get().tokenCount()));
        } finally {
            fxRun(() -> {
                second.close();
                ((Stage) second.root().getScene().getWindow()).close();
            });
        }
    }

    @Test
    void aCorruptAutosaveIsANotificationAndANormalStart(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("autosave-session.json");
        Files.writeString(file, "{\"version\": 1, \"prompt\": \"half a sess", StandardCharsets.UTF_8);
        assertFalse(fx(() -> window.sessions().restoreAutosave(file, MODEL, PROMPT)));
        Notice n = awaitNotice(window, 1);
        assertEquals(Notice.Level.ERROR, n.level());
        assertEquals("Autosaved session not restored", n.title());
        assertTrue(n.text().startsWith(file + " could not be read ("), n.text());
        assertTrue(Files.exists(dir.resolve("autosave-session.json.corrupt")), "kept for a look");
        awaitAnalysis(window);
        assertEquals(PROMPT, fx(() -> window.state().prompt.get()));
        assertEquals(MODEL, fx(() -> window.state().modelDir.get()));
    }

    @Test
    void aFullGpuMovesTheModelToTheCpuAndSaysSo(FxRobot robot) throws Exception {
        OpenClRequirement.assumeAvailable();
        String before = System.getProperty(DeviceMemoryLimit.PROPERTY);
        System.setProperty(DeviceMemoryLimit.PROPERTY, "64k");
        try {
            fxRun(() -> {
                window.state().backend.set("opencl");
                window.open(MODEL, PROMPT);
            });
            awaitNotice(window, 1);
        } finally {
            if (before == null) System.clearProperty(DeviceMemoryLimit.PROPERTY);
            else System.setProperty(DeviceMemoryLimit.PROPERTY, before);
        }
        Notice n = awaitNotice(window, 1);
        assertEquals(Notice.Level.WARNING, n.level());
        assertTrue(n.text().matches("opencl: out of device memory \\(needed [0-9.]+ [KM]iB, limit 64\\.0 KiB\\) — running on the CPU instead"),
                n.text());
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> shown(robot, "running on the CPU instead"));
        awaitAnalysis(window);
        assertEquals("java", fx(() -> window.state().model.get().backendName()));
        assertEquals("backend: java (opencl out of memory)",
                fx(() -> ((Labeled) window.root().lookup("#status-backend")).getText()));
        assertEquals(List.of(n), fx(() -> List.copyOf(window.state().notices)), "told once");
    }
}
