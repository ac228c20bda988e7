package io.moescope.viz.lab;

import io.moescope.analysis.LoadedModel;
import io.moescope.lab.NumberFormat;
import io.moescope.lab.SweepCatalogue;
import io.moescope.lab.SweepKind;
import io.moescope.lab.SweepResult;
import io.moescope.report.chart.ChartStyle;
import io.moescope.report.lab.LabTables;
import io.moescope.report.lab.SweepCharts;
import io.moescope.report.lab.SweepValues;
import io.moescope.viz.state.WorkbenchState;
import io.moescope.viz.view.AnalysisView;
import io.moescope.viz.widget.ChartPane;
import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.RadioButton;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.Spinner;
import javafx.scene.control.SplitPane;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.scene.control.ToggleGroup;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.stage.FileChooser;

/**
 * Sweeps: pick what to vary and the values, run over the prompt or a text file, and see every
 * measure as a chart against the swept value, with the table beneath. The sweep runs on the
 * controller's compute thread with progress and cancel.
 */
public final class SweepView implements AnalysisView {
    /** Starts a sweep: kind, values (empty for the defaults), text file or null for the prompt, tokens per chunk. */
    public interface Runner {
        void sweep(SweepKind kind, List<Double> values, Path textFile, int chunkTokens);
    }

    private final WorkbenchState state;
    private final BorderPane root = new BorderPane();
    private final ComboBox<SweepKind> kind = new ComboBox<>();
    private final TextField values = new TextField();
    private final RadioButton onPrompt = new RadioButton("prompt"), onFile = new RadioButton("text file");
    private final Label file = new Label("(none)");
    private final Spinner<Integer> chunk = new Spinner<>(2, 4096, 128, 16);
    private final GridPane charts = new GridPane();
    private final List<ChartPane> viewers = new ArrayList<>();
    private final TableView<List<String>> table = StringTable.create("sweep-table");
    private Path textFile;
    private List<SweepCharts.Named> shown = List.of();

    public SweepView(WorkbenchState state, Runner runner) {
        this.state = state;
        kind.getItems().addAll(SweepKind.values());
        kind.setValue(SweepKind.TOPK);
        kind.setId("sweep-kind");
        kind.setConverter(new javafx.util.StringConverter<>() {
            @Override
            public String toString(SweepKind k) {
                return k == null ? "" : k.cliName() + " — " + k.axisLabel();
            }

            @Override
            public SweepKind fromString(String s) {
                return SweepKind.parse(s.split(" ")[0]);
            }
        });
        values.setId("sweep-values");
        values.setPrefColumnCount(22);
        values.setPromptText("comma-separated; empty for the defaults");
        kind.valueProperty().addListener((o, a, b) -> fillDefaults());
        state.model.addListener((o, a, b) -> fillDefaults());
        ToggleGroup source = new ToggleGroup();
        onPrompt.setToggleGroup(source);
        onFile.setToggleGroup(source);
        onPrompt.setSelected(true);
        Button choose = new Button("Choose…");
        choose.setOnAction(e -> chooseFile());
        chunk.setEditable(true);
        chunk.setPrefWidth(80);
        Button run = new Button("Run sweep");
        run.setId("sweep-run");
        run.setOnAction(e -> {
            try {
                SweepKind k = kind.getValue();
                if (onFile.isSelected() && textFile == null) throw new IllegalArgumentException("choose a text file, or sweep over the prompt");
                runner.sweep(k, SweepValues.parse(k, values.getText()), onFile.isSelected() ? textFile : null, chunk.getValue());
            } catch (IllegalArgumentException ex) {
                state.message.set("sweep: " + ex.getMessage());
            }
        });
        HBox bar = new HBox(8, new Label("Sweep"), kind, new Label("values"), values, new Label("over"), onPrompt, onFile, file, choose,
                new Label("tokens per chunk"), chunk, run);
        bar.setAlignment(Pos.CENTER_LEFT);
        bar.setPadding(new Insets(6));
        root.setTop(bar);
        charts.setHgap(4);
        charts.setVgap(4);
        charts.setPadding(new Insets(4));
        for (int i = 0; i < 8; i++) {
            ChartPane v = new ChartPane();
            v.setMinSize(200, 170);
            v.setPrefSize(330, 230);
            GridPane.setHgrow(v, Priority.ALWAYS);
            GridPane.setVgrow(v, Priority.ALWAYS);
            viewers.add(v);
        }
        ScrollPane scroll = new ScrollPane(charts);
        scroll.setFitToWidth(true);
        scroll.setFitToHeight(true);
        SplitPane split = new SplitPane(scroll, table);
        split.setOrientation(javafx.geometry.Orientation.VERTICAL);
        split.setDividerPositions(0.72);
        root.setCenter(split);
        state.sweep.addListener((o, a, r) -> show(r));
    }

    private void fillDefaults() {
        LoadedModel m = state.model.get();
        if (m == null || kind.getValue() == null) return;
        try {
            List<Double> d = SweepCatalogue.defaultValues(kind.getValue(), m.config());
            List<String> s = new ArrayList<>();
            for (double v : d) {
                s.add(kind.getValue() == SweepKind.PRECISION && v >= 0 && v < NumberFormat.values().length
                        ? NumberFormat.values()[(int) v].cliName() : LabTables.number(v));
            }
            values.setText(String.join(",", s));
        } catch (RuntimeException e) {
            values.setText("");   // the lab decides the defaults when the field is empty
        }
    }

    private void chooseFile() {
        FileChooser fc = new FileChooser();
        fc.setTitle("Text to sweep over");
        fc.getExtensionFilters().add(new FileChooser.ExtensionFilter("Text", "*.txt", "*"));
        File f = fc.showOpenDialog(root.getScene() == null ? null : root.getScene().getWindow());
        if (f == null) return;
        setTextFile(f.toPath());
    }

    public void setTextFile(Path f) {
        textFile = f;
        file.setText(f == null ? "(none)" : f.getFileName().toString());
        if (f != null) onFile.setSelected(true);
        else onPrompt.setSelected(true);
    }

    /** Sets what to sweep and the values text (tests, the demo sweep). */
    public void set(SweepKind k, String valuesText) {
        kind.setValue(k);
        values.setText(valuesText);
    }

    private void show(SweepResult r) {
        charts.getChildren().clear();
        if (r == null) {
            shown = List.of();
            table.getItems().clear();
            return;
        }
        shown = SweepCharts.of(r);
        for (int i = 0; i < shown.size(); i++) {
            ChartPane v = viewers.get(i);
            ChartStyle.presenter(shown.get(i).chart(), state.presenter.get());
            v.setChart(shown.get(i).chart());
            charts.add(v, i % 4, i / 4);
        }
        StringTable.show(table, LabTables.sweep(r));
    }

    /** The charts on screen, in order (tests). */
    public List<SweepCharts.Named> shownCharts() {
        return shown;
    }

    public TableView<List<String>> table() {
        return table;
    }

    @Override
    public String id() {
        return "sweep";
    }

    @Override
    public String title() {
        return "Sweep";
    }

    @Override
    public Node node() {
        return root;
    }

    @Override
    public void setPresenter(boolean on) {
        for (SweepCharts.Named c : shown) ChartStyle.presenter(c.chart(), on);
    }

    @Override
    public List<NamedChart> charts() {
        List<NamedChart> out = new ArrayList<>();
        for (SweepCharts.Named c : shown) out.add(new NamedChart(c.name(), c.chart()));
        return out;
    }

    @Override
    public boolean hasData() {
        return state.sweep.get() != null;
    }
}
