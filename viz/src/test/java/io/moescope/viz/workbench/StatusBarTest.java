package io.moescope.viz.workbench;

import static io.moescope.viz.FxCalls.fx;
import static io.moescope.viz.FxCalls.fxRun;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moescope.viz.state.WorkbenchState;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javafx.scene.Scene;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.layout.HBox;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.framework.junit5.Stop;
import org.testfx.util.WaitForAsyncUtils;

/**
 * Work that reports no progress (an analysis, a report) shows what runs and a Cancel button, but
 * no progress bar: an indeterminate bar animates in every frame.
 */
@ExtendWith(ApplicationExtension.class)
class StatusBarTest {
    private final WorkbenchState state = new WorkbenchState();
    private AnalysisController controller;
    private StatusBar bar;

    @Start
    void start(Stage stage) {
        controller = new AnalysisController(state);
        bar = new StatusBar(state, controller);
        stage.setScene(new Scene((HBox) bar.node(), 800, 30));
        stage.show();
    }

    @Stop
    void stop() {
        controller.close();
    }

    @Test
    void workWithoutProgressShowsItsMessageAndCancelButNoAnimatedBar() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(1);
        fxRun(() -> controller.run("writing report.html …", () -> release.await(30, TimeUnit.SECONDS), r -> done.countDown()));
        Label message = fx(() -> (Label) bar.node().lookup("#status-message"));
        Button cancel = fx(() -> (Button) bar.node().lookup("#cancel"));
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> fx(message::getText).equals("writing report.html …"));
        assertTrue(fx(cancel::isVisible), "the running work can be cancelled");
        assertFalse(fx(() -> bar.progressBar().isVisible()), "no bar for work that counts no progress");
        assertFalse(fx(() -> bar.progressBar().isIndeterminate()), "and never the indeterminate animation");
        release.countDown();
        assertTrue(done.await(30, TimeUnit.SECONDS));
        WaitForAsyncUtils.waitForFxEvents();
        assertFalse(fx(cancel::isVisible), "idle: nothing to cancel");
        assertEquals("", fx(message::getText));
    }
}
