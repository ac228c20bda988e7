package io.moescope.viz.view;

import io.moescope.analysis.LoadedModel;
import io.moescope.analysis.TrainingHistory;
import io.moescope.report.chart.TrainingCharts;
import io.moescope.report.heatmap.ColourScale;
import io.moescope.viz.heatmap.ColourLegend;
import io.moescope.viz.heatmap.HeatmapView;
import io.moescope.viz.state.WorkbenchState;
import io.moescope.viz.widget.ChartPane;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;
import javafx.animation.KeyFrame;
import javafx.animation.Timeline;
import javafx.concurrent.Task;
import javafx.geometry.Insets;
import javafx.geometry.Orientation;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.Slider;
import javafx.scene.control.SplitPane;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.util.Duration;

/**
 * Training playback, for a model folder with a training log: a slider (and a play button) over the
 * logged steps shows the loss curve with the step marked, the expert load of every MoE layer at
 * that step, and per layer the router entropy and the gradient norm, so that routing, load balance
 * and gradients can be watched as they evolved.
 */
public final class TrainingView extends LazyView {
    private final WorkbenchState state;
    private final Executor background;
    private final BorderPane root = new BorderPane();
    private final Slider slider = new Slider(0, 1, 0);
    private final Button play = new Button("▶ Play");
    private final Label status = new Label("This model folder has no training log (" + TrainingHistory.FILE_NAME + ").");
    private final ChartPane loss = Charts.viewer(), entropy = Charts.viewer(), grads = Charts.viewer();
    private final HeatmapView load = new HeatmapView();
    private final ColourLegend legend = new ColourLegend();
    private final Timeline timeline = new Timeline(new KeyFrame(Duration.millis(250), e -> advance()));
    private TrainingHistory history;
    private boolean presenter;

    public TrainingView(WorkbenchState state, Executor background) {
        this.state = state;
        this.background = background;
        slider.setMajorTickUnit(1);
        slider.setSnapToTicks(true);
        slider.setBlockIncrement(1);
        slider.setDisable(true);
        play.setDisable(true);
        load.setId("training-load");
        status.setId("training-status");
        timeline.setCycleCount(Timeline.INDEFINITE);
        play.setOnAction(e -> toggle());
        slider.valueProperty().addListener((o, a, b) -> {
            if (Math.round(a.doubleValue()) != Math.round(b.doubleValue())) whenShown(this::showStep);
        });
        HBox controls = new HBox(8, play, slider, status);
        HBox.setHgrow(slider, Priority.ALWAYS);
        slider.setMaxWidth(500);
        controls.setAlignment(Pos.CENTER_LEFT);
        controls.setPadding(new Insets(6));
        HBox hm = new HBox(4, load, legend);
        HBox.setHgrow(load, Priority.ALWAYS);
        VBox loadBox = new VBox(2, new Label("Tokens per expert at this step (rows: MoE layers)"), hm);
        VBox.setVgrow(hm, Priority.ALWAYS);
        SplitPane top = new SplitPane(loss, loadBox);
        top.setDividerPositions(0.5);
        SplitPane bottom = new SplitPane(entropy, grads);
        SplitPane main = new SplitPane(top, bottom);
        main.setOrientation(Orientation.VERTICAL);
        main.setDividerPositions(0.55);
        root.setTop(controls);
        root.setCenter(main);
        state.model.addListener((o, a, b) -> read(b));
    }

    @Override
    public String id() {
        return "training";
    }

    @Override
    public String title() {
        return "Training";
    }

    @Override
    public Node node() {
        return root;
    }

    @Override
    public boolean hasData() {
        return history == null ? state.model.get() != null : load.rows() > 0;
    }

    @Override
    public List<NamedChart> charts() {
        List<NamedChart> out = new ArrayList<>();
        if (Charts.hasChart(loss)) out.add(new NamedChart("training-loss", loss.getChart()));
        if (Charts.hasChart(entropy)) out.add(new NamedChart("training-router-entropy", entropy.getChart()));
        if (Charts.hasChart(grads)) out.add(new NamedChart("training-gradient-norms", grads.getChart()));
        return out;
    }

    @Override
    public void setPresenter(boolean on) {
        presenter = on;
        load.setLabelFontSize(on ? 16 : 11);
        whenShown(this::showStep);
    }

    public Slider slider() {
        return slider;
    }

    public HeatmapView loadHeatmap() {
        return load;
    }

    public String statusText() {
        return status.getText();
    }

    @Override
    protected void refreshAll() {
        showStep();
    }

    private void read(LoadedModel m) {
        timeline.stop();
        history = null;
        slider.setDisable(true);
        play.setDisable(true);
        if (m == null) return;
        Task<Optional<TrainingHistory>> task = new Task<>() {
            @Override
            protected Optional<TrainingHistory> call() throws Exception {
                return TrainingHistory.of(m.dir());
            }
        };
        task.setOnSucceeded(e -> {
            if (state.model.get() != m) return;
            history = task.getValue().orElse(null);
            if (history == null) {
                status.setText("This model folder has no training log (" + TrainingHistory.FILE_NAME + ").");
                return;
            }
            slider.setMax(history.steps().size() - 1);
            slider.setValue(history.steps().size() - 1);
            slider.setDisable(false);
            play.setDisable(false);
            whenShown(this::showStep);
        });
        task.setOnFailed(e -> {
            status.setText("cannot read the training log: " + task.getException().getMessage());
            state.fail("Training log not read", task.getException());
        });
        background.execute(task);
    }

    private void toggle() {
        if (timeline.getStatus() == Timeline.Status.RUNNING) {
            timeline.stop();
            play.setText("▶ Play");
        } else {
            if (slider.getValue() >= slider.getMax()) slider.setValue(0);
            timeline.play();
            play.setText("❚❚ Pause");
        }
    }

    private void advance() {
        if (slider.getValue() >= slider.getMax()) {
            toggle();
            return;
        }
        slider.setValue(slider.getValue() + 1);
    }

    private void showStep() {
        if (history == null) return;
        TrainingHistory.Step s = history.steps().get((int) Math.round(slider.getValue()));
        status.setText(String.format(Locale.ROOT, "step %d of %d · loss %.4f%s · lr %.2g · gradient norm %.3g", s.step(),
                history.steps().getLast().step(), s.loss(), Double.isFinite(s.auxLoss()) ? String.format(Locale.ROOT, " · aux %.3f", s.auxLoss()) : "",
                s.learningRate(), s.gradNorm()));
        Charts.show(loss, TrainingCharts.loss(history, s.step()), presenter);
        Charts.show(entropy, TrainingCharts.perLayer("router entropy at step " + s.step(), "nats", s.routerEntropy(), false), presenter);
        Charts.show(grads, TrainingCharts.perLayer("gradient norm per layer at step " + s.step(), "‖grad‖", s.layerGradNorms(), true), presenter);
        showLoad(s.expertLoad());
    }

    private void showLoad(Map<Integer, long[]> byLayer) {
        if (byLayer.isEmpty()) return;
        List<Integer> layers = new ArrayList<>(byLayer.keySet());
        int E = byLayer.get(layers.getFirst()).length;
        float[] v = new float[layers.size() * E];
        float max = 1;
        for (int i = 0; i < layers.size(); i++) {
            long[] c = byLayer.get(layers.get(i));
            for (int e = 0; e < Math.min(E, c.length); e++) {
                v[i * E + e] = c[e];
                max = Math.max(max, c[e]);
            }
        }
        ColourScale scale = ColourScale.linear(0, max);
        load.setData(v, layers.size(), E, scale);
        legend.setScale(scale, "tokens");
        List<String> rows = new ArrayList<>(), cols = new ArrayList<>();
        for (int l : layers) rows.add("layer " + l);
        for (int e = 0; e < E; e++) cols.add("E" + e);
        load.setLabels(rows, cols);
        load.setCellText((r, c) -> "layer " + layers.get(r) + ", expert " + c + ": " + (long) v[r * E + c] + " tokens at this step");
    }
}
