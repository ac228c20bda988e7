package io.moescope.viz;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import javafx.animation.AnimationTimer;
import javafx.application.Application;
import javafx.application.Platform;
import javafx.scene.Scene;
import javafx.stage.Stage;

/**
 * The JavaFX application. Started only through {@link Workbench#open}, which passes the model and
 * screenshot as named parameters and collects any failure from {@link #failure}.
 */
public final class WorkbenchApp extends Application {
    static final String MODEL = "model";
    static final String SCREENSHOT = "screenshot";
    /** Frames to wait before a screenshot, so that CSS, layout and the first paint have happened. */
    private static final int SETTLE_FRAMES = 3;

    /** Failures after start() returns happen on the FX thread; launch() cannot throw them, so they land here. */
    static final AtomicReference<Throwable> failure = new AtomicReference<>();

    @Override
    public void start(Stage stage) {
        Map<String, String> named = getParameters().getNamed();
        Path model = named.containsKey(MODEL) ? Path.of(named.get(MODEL)) : null;
        ModelHeadline headline = ModelHeadline.read(model);

        stage.setTitle("MoEScope — " + headline.title());
        stage.setScene(new Scene(WorkbenchWindow.content(headline), 960, 600));
        stage.show();
        if (named.containsKey(SCREENSHOT)) screenshotThenExit(stage.getScene(), Path.of(named.get(SCREENSHOT)));
    }

    private static void screenshotThenExit(Scene scene, Path file) {
        new AnimationTimer() {
            private int frames;

            @Override
            public void handle(long now) {
                if (++frames < SETTLE_FRAMES) return;
                stop();
                try {
                    PngSnapshot.write(scene, file);
                } catch (Throwable t) {
                    failure.set(t);
                } finally {
                    Platform.exit();
                }
            }
        }.start();
    }
}
