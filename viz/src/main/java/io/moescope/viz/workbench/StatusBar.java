package io.moescope.viz.workbench;

import io.moescope.viz.state.WorkbenchState;
import java.util.Locale;
import javafx.beans.binding.Bindings;
import javafx.concurrent.Task;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.Separator;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;

/** Model, backend and last run's time on the left; what is happening, a progress bar and cancel on the right. */
public final class StatusBar {
    private final HBox bar = new HBox(10);
    private final Label model = new Label("no model"), backend = new Label(), lastRun = new Label(), message = new Label();
    private final ProgressBar progress = new ProgressBar(0);   // not indeterminate even while hidden: its skin would build the animation
    private final Button cancel = new Button("Cancel");

    public StatusBar(WorkbenchState state, AnalysisController controller) {
        bar.setPadding(new Insets(3, 8, 3, 8));
        bar.setAlignment(Pos.CENTER_LEFT);
        bar.setStyle("-fx-background-color: #f3f5f8; -fx-border-color: #d0d7e2; -fx-border-width: 1 0 0 0;");
        message.setMaxWidth(Double.MAX_VALUE);
        HBox.setHgrow(message, Priority.ALWAYS);
        model.setId("status-model");
        backend.setId("status-backend");
        lastRun.setId("status-last-run");
        message.setId("status-message");
        cancel.setId("cancel");
        progress.setPrefWidth(140);
        bar.getChildren().addAll(model, new Separator(javafx.geometry.Orientation.VERTICAL), backend,
                new Separator(javafx.geometry.Orientation.VERTICAL), lastRun, new Separator(javafx.geometry.Orientation.VERTICAL),
                message, progress, cancel);

        model.textProperty().bind(Bindings.createStringBinding(() -> state.modelDir.get() == null ? "no model"
                : "model: " + state.modelDir.get().getFileName(), state.modelDir));
        // What the model really runs on: after a GPU ran out of memory, java, with the one asked for beside it.
        backend.textProperty().bind(Bindings.createStringBinding(() -> {
            String asked = state.backend.get(), used = state.activeBackend.get();
            if (used == null || used.isEmpty() || used.equals(asked)) return "backend: " + asked;
            return "backend: " + used + ("auto".equals(asked) ? " (auto)" : " (" + asked + " out of memory)");
        }, state.backend, state.activeBackend));
        lastRun.textProperty().bind(Bindings.createStringBinding(() -> state.analysis.get() == null ? "last run: —"
                : String.format(Locale.ROOT, "last run: %.1f ms, %d tokens", state.analysis.get().totalNanos() / 1e6,
                state.analysis.get().tokenCount()), state.analysis));
        cancel.setOnAction(e -> controller.cancel());
        controller.runningProperty().addListener((o, a, t) -> running(t, state));
        message.textProperty().bind(state.message);
        running(null, state);
    }

    private void running(Task<?> t, WorkbenchState state) {
        progress.progressProperty().unbind();
        progress.visibleProperty().unbind();
        message.textProperty().unbind();
        boolean busy = t != null;
        progress.setVisible(false);
        cancel.setVisible(busy);
        if (busy) {
            // Only a task that counts its progress shows the bar, and the bar is never indeterminate:
            // that animation redraws every frame, and under software rendering each frame resends the
            // whole window, which held the FX thread up while analyses ran. The message says what runs.
            progress.progressProperty().bind(Bindings.max(0, t.progressProperty()));
            progress.visibleProperty().bind(t.progressProperty().greaterThanOrEqualTo(0));
            message.textProperty().bind(t.messageProperty());
        } else {
            message.textProperty().bind(state.message);
        }
    }

    /** For tests: the progress bar, shown only for work that counts its progress. */
    ProgressBar progressBar() {
        return progress;
    }

    public Node node() {
        return bar;
    }
}
