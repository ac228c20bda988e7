package io.moescope.viz.view;

import io.moescope.analysis.LoadedModel;
import io.moescope.analysis.TensorStats;
import io.moescope.checkpoint.TensorInfo;
import io.moescope.inspect.ModelSummary;
import io.moescope.report.chart.HistogramChart;
import io.moescope.viz.state.WorkbenchState;
import io.moescope.viz.widget.ChartPane;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executor;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.FXCollections;
import javafx.collections.transformation.FilteredList;
import javafx.concurrent.Task;
import javafx.geometry.Insets;
import javafx.geometry.Orientation;
import javafx.scene.Node;
import javafx.scene.control.Label;
import javafx.scene.control.SplitPane;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import org.controlsfx.control.PropertySheet;
import org.jfree.chart.JFreeChart;

/**
 * The model: its configuration as a property sheet, parameters in total and active per token, and
 * a tensor browser (name, dtype, shape; for the selected tensor min/max/mean/std and a histogram,
 * computed off the FX thread).
 */
public final class ModelView extends LazyView {
    private final WorkbenchState state;
    private final Executor background;
    private final BorderPane root = new BorderPane();
    private final PropertySheet config = new PropertySheet();
    private final Label parameters = new Label();
    private final TableView<TensorInfo> tensors = new TableView<>();
    private final TextField filter = new TextField();
    private final Label stats = new Label("Select a tensor.");
    private final ChartPane histogram = Charts.viewer();
    private FilteredList<TensorInfo> filtered;
    private boolean presenter;

    /** @param background where tensor statistics are computed (the compute thread, which also closes models) */
    public ModelView(WorkbenchState state, Executor background) {
        this.state = state;
        this.background = background;
        config.setModeSwitcherVisible(false);
        config.setMode(PropertySheet.Mode.NAME);
        config.setId("config-sheet");
        parameters.setId("model-parameters");
        parameters.setWrapText(true);
        parameters.setMinHeight(javafx.scene.layout.Region.USE_PREF_SIZE);
        parameters.setStyle("-fx-font-weight: bold;");
        VBox left = new VBox(6, parameters, config);
        VBox.setVgrow(config, Priority.ALWAYS);
        left.setPadding(new Insets(6));

        tensors.setId("tensor-table");
        tensors.getColumns().add(column("tensor", TensorInfo::name, 330));
        tensors.getColumns().add(column("dtype", t -> t.dtype().name(), 70));
        tensors.getColumns().add(column("shape", TensorInfo::shapeString, 120));
        filter.setPromptText("filter tensors by name");
        stats.setId("tensor-stats");
        stats.setWrapText(true);
        VBox browser = new VBox(4, filter, tensors);
        VBox.setVgrow(tensors, Priority.ALWAYS);
        VBox detail = new VBox(4, stats, histogram);
        VBox.setVgrow(histogram, Priority.ALWAYS);
        SplitPane right = new SplitPane(browser, detail);
        right.setOrientation(Orientation.VERTICAL);
        right.setDividerPositions(0.55);
        right.setPadding(new Insets(6));
        SplitPane main = new SplitPane(left, right);
        main.setDividerPositions(0.4);
        root.setCenter(main);

        filter.textProperty().addListener((o, a, b) -> {
            if (filtered != null) filtered.setPredicate(t -> b == null || t.name().contains(b));
        });
        tensors.getSelectionModel().selectedItemProperty().addListener((o, a, b) -> showTensor(b));
        // drawn when its tab is shown: opening a model should not build a chart nobody sees yet
        state.model.addListener((o, a, b) -> whenShown(this::refreshAll));
    }

    private static TableColumn<TensorInfo, String> column(String title, java.util.function.Function<TensorInfo, String> f, double width) {
        TableColumn<TensorInfo, String> c = new TableColumn<>(title);
        c.setCellValueFactory(x -> new ReadOnlyStringWrapper(f.apply(x.getValue())));
        c.setPrefWidth(width);
        return c;
    }

    @Override
    public String id() {
        return "model";
    }

    @Override
    public String title() {
        return "Model";
    }

    @Override
    public Node node() {
        return root;
    }

    @Override
    public boolean hasData() {
        return !config.getItems().isEmpty();
    }

    public TableView<TensorInfo> tensorTable() {
        return tensors;
    }

    public String statsText() {
        return stats.getText();
    }

    @Override
    public List<NamedChart> charts() {
        return Charts.named("tensor-histogram", histogram);
    }

    @Override
    public void setPresenter(boolean on) {
        presenter = on;
        if (Charts.hasChart(histogram)) Charts.show(histogram, histogram.getChart(), on);
    }

    @Override
    protected void refreshAll() {
        show(state.model.get());
    }

    private void show(LoadedModel m) {
        config.getItems().clear();
        if (m == null) return;
        config.getItems().setAll(ConfigItems.of(m.checkpoint().configJson()));
        List<TensorInfo> infos = new ArrayList<>();
        for (String n : m.checkpoint().tensorNames()) infos.add(m.checkpoint().info(n));
        filtered = new FilteredList<>(FXCollections.observableArrayList(infos));
        tensors.setItems(filtered);
        Charts.clear(histogram);
        stats.setText("Select a tensor.");
        if (!infos.isEmpty()) tensors.getSelectionModel().select(0);   // so the browser shows a histogram from the start
        ModelSummary s = summary(m);
        parameters.setText(s == null ? "" : String.format(Locale.ROOT,
                "%s · %s parameters in total, %s active per token (%.1f%%) · %d tensors",
                m.config().architecture().modelType(), count(s.totalParameters()), count(s.activeParameters()),
                100.0 * s.activeParameters() / Math.max(1, s.totalParameters()), infos.size()));
    }

    private static ModelSummary summary(LoadedModel m) {
        try {
            return ModelSummary.of(m.dir());
        } catch (RuntimeException e) {
            return null;
        }
    }

    private void showTensor(TensorInfo info) {
        LoadedModel m = state.model.get();
        if (info == null || m == null) return;
        stats.setText("computing " + info.name() + " …");
        record Histogram(TensorStats stats, JFreeChart chart) {}
        Task<Histogram> task = new Task<>() {
            @Override
            protected Histogram call() {
                TensorStats s = TensorStats.of(m.checkpoint(), info.name(), 60);
                return new Histogram(s, HistogramChart.of(s));   // the chart's objects built here too, not on the FX thread
            }
        };
        task.setOnSucceeded(e -> {
            TensorStats s = task.getValue().stats();
            if (tensors.getSelectionModel().getSelectedItem() != info) return;
            stats.setText(String.format(Locale.ROOT, "%s  %s %s  ·  min %.5g  max %.5g  mean %.5g  std %.5g%s",
                    s.name(), s.dtype(), java.util.Arrays.toString(s.shape()), s.min(), s.max(), s.mean(), s.std(),
                    s.nonFinite() > 0 ? "  ·  " + s.nonFinite() + " NaN/Inf" : ""));
            Charts.show(histogram, task.getValue().chart(), presenter);
        });
        task.setOnFailed(e -> {
            stats.setText("cannot read " + info.name() + ": " + task.getException().getMessage());
            state.fail("Tensor " + info.name() + " not read", task.getException());
        });
        background.execute(task);
    }

    static String count(long n) {
        if (n >= 1_000_000_000) return String.format(Locale.ROOT, "%.2f B", n / 1e9);
        if (n >= 1_000_000) return String.format(Locale.ROOT, "%.2f M", n / 1e6);
        if (n >= 1_000) return String.format(Locale.ROOT, "%.1f K", n / 1e3);
        return Long.toString(n);
    }
}
