package io.moescope.viz.view;

import io.moescope.analysis.Analysis;
import io.moescope.analysis.BatchAnalysis;
import io.moescope.analysis.ExpertLoad;
import io.moescope.report.chart.LoadChart;
import io.moescope.report.heatmap.ColourScale;
import io.moescope.viz.heatmap.ColourLegend;
import io.moescope.viz.heatmap.HeatmapView;
import io.moescope.viz.state.Selection;
import io.moescope.viz.state.WorkbenchState;
import io.moescope.viz.widget.ChartPane;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import javafx.geometry.Insets;
import javafx.geometry.Orientation;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.Spinner;
import javafx.scene.control.SpinnerValueFactory;
import javafx.scene.control.SplitPane;
import javafx.scene.control.TableView;
import javafx.scene.control.ToggleButton;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.stage.FileChooser;

/**
 * Expert load: tokens per expert as bars per layer and as a layers x experts heatmap, with the
 * balance figures (coefficient of variation, max/mean, auxiliary loss, drops at a capacity factor)
 * for the prompt or, after "Text file…", for a whole file processed in chunks.
 */
public final class ExpertLoadView extends LazyView {
    private final WorkbenchState state;
    private final Selection sel;
    private final BorderPane root = new BorderPane();
    private final ChartPane bars = Charts.viewer();
    private final HeatmapView heatmap = new HeatmapView();
    private final ColourLegend legend = new ColourLegend();
    private final Spinner<Double> capacity = new Spinner<>();
    private final Label summary = new Label();
    private final Label source = new Label();
    private final ToggleButton useFile = new ToggleButton("Show file");
    private final LoadTable table = new LoadTable();
    private boolean presenter;
    private ExpertLoad shown;

    /** @param analyseFile starts the batch analysis of a text file (the controller's job) */
    public ExpertLoadView(WorkbenchState state, Consumer<Path> analyseFile) {
        this.state = state;
        this.sel = state.selection;
        capacity.setValueFactory(new SpinnerValueFactory.DoubleSpinnerValueFactory(0.25, 8, 1.25, 0.25));
        capacity.setEditable(true);
        capacity.setPrefWidth(90);
        capacity.setId("capacity-factor");
        capacity.valueProperty().addListener((o, a, b) -> whenShown(this::refresh));
        Button file = new Button("Text file…");
        file.setOnAction(e -> {
            FileChooser fc = new FileChooser();
            fc.setTitle("Text to measure expert load over");
            java.io.File f = fc.showOpenDialog(root.getScene().getWindow());
            if (f != null) analyseFile.accept(f.toPath());
        });
        useFile.setDisable(true);
        useFile.selectedProperty().addListener((o, a, b) -> whenShown(this::refresh));
        HBox controls = new HBox(8, new Label("Capacity factor"), capacity, file, useFile, source);
        controls.setAlignment(Pos.CENTER_LEFT);
        summary.setId("load-summary");
        summary.setWrapText(true);
        VBox top = new VBox(4, controls, summary);
        top.setPadding(new Insets(6));

        heatmap.setId("load-heatmap");
        HBox hm = new HBox(4, heatmap, legend);
        HBox.setHgrow(heatmap, Priority.ALWAYS);
        SplitPane charts = new SplitPane(bars, hm);
        charts.setDividerPositions(0.55);
        SplitPane main = new SplitPane(charts, table.node());
        main.setOrientation(Orientation.VERTICAL);
        main.setDividerPositions(0.68);
        root.setTop(top);
        root.setCenter(main);

        heatmap.setOnCellClicked((r, c) -> {
            if (shown == null) return;
            sel.layer.set(shown.layers()[r]);
            sel.expert.set(c);
        });
        sel.layer.addListener((o, a, b) -> whenShown(this::highlight));
        sel.expert.addListener((o, a, b) -> whenShown(this::highlight));
        state.analysis.addListener((o, a, b) -> whenShown(this::refresh));
        state.batch.addListener((o, a, b) -> {
            useFile.setDisable(b == null);
            useFile.setSelected(b != null);
            whenShown(this::refresh);
        });
    }

    @Override
    public String id() {
        return "load";
    }

    @Override
    public String title() {
        return "Expert load";
    }

    @Override
    public Node node() {
        return root;
    }

    @Override
    public boolean hasData() {
        return heatmap.rows() > 0;
    }

    public HeatmapView heatmap() {
        return heatmap;
    }

    public double capacityFactor() {
        return capacity.getValue();
    }

    public void setCapacityFactor(double cf) {
        if (cf > 0) capacity.getValueFactory().setValue(cf);
    }

    public String summaryText() {
        return summary.getText();
    }

    @Override
    public List<NamedChart> charts() {
        return Charts.named("expert-load", bars);
    }

    @Override
    public void setPresenter(boolean on) {
        presenter = on;
        heatmap.setLabelFontSize(on ? 16 : 11);
        whenShown(this::refresh);
    }

    @Override
    protected void refreshAll() {
        refresh();
    }

    private void refresh() {
        Analysis a = state.analysis.get();
        BatchAnalysis b = state.batch.get();
        boolean file = useFile.isSelected() && b != null;
        ExpertLoad load = file ? b.load() : a == null ? null : a.load();
        if (load == null || load.moeLayers() == 0) {
            summary.setText(a == null ? "" : "This model has no MoE layers.");
            return;
        }
        shown = load;
        double cf = capacity.getValue();
        source.setText(file ? String.format(Locale.ROOT, "%s: %d tokens, %d chunks of %d", b.file().getFileName(),
                b.tokens(), b.chunks(), b.chunkTokens()) : "this prompt, " + load.tokens() + " tokens");
        long dropped = file ? b.dropped(cf) : load.dropped(cf);
        long assignments = load.tokens() * load.topK() * load.moeLayers();
        double coef = a == null ? 0 : a.config().routerAuxLossCoef();
        summary.setText(String.format(Locale.ROOT,
                "aux loss %.4f (1 = perfectly balanced%s) · at capacity factor %.2f (%d slots per expert%s): %d of %d assignments dropped (%.1f%%)",
                load.auxLoss(), coef > 0 ? String.format(Locale.ROOT, "; × coefficient %.3g = %.5f", coef, coef * load.auxLoss()) : "",
                cf, ExpertLoad.capacity(file ? b.chunkTokens() : load.tokens(), load.topK(), load.experts(), cf),
                file ? " per chunk" : "", dropped, assignments, 100.0 * dropped / Math.max(1, assignments)));
        Charts.show(bars, LoadChart.of(load, "tokens per expert"), presenter);
        float[] values = new float[load.moeLayers() * load.experts()];
        float max = 1;
        for (int i = 0; i < load.moeLayers(); i++) {
            for (int e = 0; e < load.experts(); e++) {
                values[i * load.experts() + e] = load.counts()[i][e];
                max = Math.max(max, load.counts()[i][e]);
            }
        }
        ColourScale scale = ColourScale.linear(0, max);
        heatmap.setData(values, load.moeLayers(), load.experts(), scale);
        legend.setScale(scale, "tokens");
        List<String> rows = new ArrayList<>(), cols = new ArrayList<>();
        for (int l : load.layers()) rows.add("layer " + l);
        for (int e = 0; e < load.experts(); e++) cols.add("E" + e);
        heatmap.setLabels(rows, cols);
        ExpertLoad l = load;
        heatmap.setCellText((r, c) -> String.format(Locale.ROOT, "layer %d, expert %d: %d tokens (%.1f%% of assignments), mean router p %.4f",
                l.layers()[r], c, l.counts()[r][c], 100.0 * l.counts()[r][c] / (l.tokens() * l.topK()), l.meanProb()[r][c]));
        table.show(load, cf, file ? b : null);
        highlight();
    }

    private void highlight() {
        if (shown == null) return;
        int row = -1;
        for (int i = 0; i < shown.layers().length; i++) if (shown.layers()[i] == sel.layer.get()) row = i;
        heatmap.setHighlight(row, sel.expert.get());
        table.select(row);
    }

    /** For tests: the balance table. */
    TableView<LoadTable.Row> table() {
        return table.node();
    }
}
