package io.moescope.viz.view;

import io.moescope.analysis.Analysis;
import io.moescope.analysis.AttentionMaps;
import io.moescope.analysis.AttentionMaps.Reduction;
import io.moescope.report.chart.HeadEntropyChart;
import io.moescope.report.heatmap.ColourScale;
import io.moescope.viz.heatmap.ColourLegend;
import io.moescope.viz.heatmap.HeatmapView;
import io.moescope.viz.state.Selection;
import io.moescope.viz.state.WorkbenchState;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javafx.geometry.Insets;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.ChoiceBox;
import javafx.scene.control.Label;
import javafx.scene.control.RadioButton;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.ToggleGroup;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;

/**
 * Attention: the layer x head grid of small maps (pick one with a click), and one large map of the
 * selected head or the mean or maximum over the layer's heads, with token labels, a linear or log
 * colour scale, hover values, zoom and pan, and each head's entropy.
 */
public final class AttentionView extends LazyView {
    private static final String MEAN = "mean of heads", MAX = "max of heads";

    private final WorkbenchState state;
    private final Selection sel;
    private final BorderPane root = new BorderPane();
    private final AttentionGrid grid;
    private final HeatmapView map = new HeatmapView();
    private final ColourLegend legend = new ColourLegend();
    private final ChoiceBox<String> layer = new ChoiceBox<>();
    private final ChoiceBox<String> head = new ChoiceBox<>();
    private final RadioButton linear = new RadioButton("linear"), log = new RadioButton("log");
    private final Label entropy = new Label();
    private boolean updating;

    public AttentionView(WorkbenchState state) {
        this.state = state;
        this.sel = state.selection;
        this.grid = new AttentionGrid(sel);
        ToggleGroup scale = new ToggleGroup();
        linear.setToggleGroup(scale);
        log.setToggleGroup(scale);
        log.setSelected(true);
        linear.setId("attention-linear");
        log.setId("attention-log");
        map.setId("attention-map");
        map.setSquare(true);
        Button reset = new Button("Reset zoom");
        reset.setOnAction(e -> map.resetZoom());
        HBox controls = new HBox(8, new Label("Layer"), layer, new Label("Head"), head, new Label("Scale"), linear, log, reset, entropy);
        controls.setPadding(new Insets(6));
        controls.setAlignment(javafx.geometry.Pos.CENTER_LEFT);

        ScrollPane gridScroll = new ScrollPane(grid.node());
        gridScroll.setFitToWidth(true);
        gridScroll.setPrefViewportWidth(300);
        Label gridTitle = new Label("All heads (click one); entropy in nats");
        VBox left = new VBox(4, gridTitle, gridScroll);
        VBox.setVgrow(gridScroll, Priority.ALWAYS);
        left.setPadding(new Insets(6));

        HBox centre = new HBox(4, map, legend);
        HBox.setHgrow(map, Priority.ALWAYS);
        centre.setPadding(new Insets(6));
        root.setTop(controls);
        root.setLeft(left);
        root.setCenter(centre);

        layer.getSelectionModel().selectedIndexProperty().addListener((o, a, b) -> {
            if (!updating && b.intValue() >= 0) sel.layer.set(b.intValue());
        });
        head.getSelectionModel().selectedIndexProperty().addListener((o, a, b) -> {
            if (!updating && b.intValue() >= 0) sel.head.set(b.intValue() - 2 < 0 ? (b.intValue() == 0 ? -1 : -2) : b.intValue() - 2);
        });
        scale.selectedToggleProperty().addListener((o, a, b) -> whenShown(this::redraw));
        sel.layer.addListener((o, a, b) -> whenShown(this::refreshChoices));
        sel.head.addListener((o, a, b) -> whenShown(this::refreshChoices));
        sel.token.addListener((o, a, b) -> whenShown(() -> map.setHighlight(b.intValue(), b.intValue())));
        state.analysis.addListener((o, a, b) -> whenShown(this::refreshAll));
        map.setOnCellClicked((r, c) -> sel.token.set(r));
    }

    @Override
    public String id() {
        return "attention";
    }

    @Override
    public String title() {
        return "Attention";
    }

    @Override
    public Node node() {
        return root;
    }

    @Override
    public boolean hasData() {
        return map.rows() > 0;
    }

    public HeatmapView map() {
        return map;
    }

    public boolean isLogScale() {
        return log.isSelected();
    }

    public void setLogScale(boolean on) {
        (on ? log : linear).setSelected(true);
    }

    @Override
    public List<NamedChart> charts() {
        Analysis a = state.analysis.get();
        return a == null ? List.of() : List.of(new NamedChart("attention-entropy", HeadEntropyChart.of(a.attention())));
    }

    @Override
    public void setPresenter(boolean on) {
        map.setLabelFontSize(on ? 16 : 11);
        grid.setPresenter(on);
    }

    @Override
    protected void refreshAll() {
        Analysis a = state.analysis.get();
        if (a == null) return;
        grid.show(a);
        map.setLabels(TokenLabels.of(a), TokenLabels.of(a));
        map.setCellText((q, k) -> String.format(Locale.ROOT, "query %s → key %s: p = %.4f", TokenLabels.quoted(a, q),
                TokenLabels.quoted(a, k), value(a, q, k)));
        refreshChoices();
        map.setHighlight(sel.token.get(), sel.token.get());
    }

    /** The value the large map shows at (q, k) for the current layer and head choice. */
    private float value(Analysis a, int q, int k) {
        int l = Math.min(sel.layer.get(), a.layers() - 1), h = sel.head.get();
        if (h >= 0) return a.attention(l, h, q, k);
        float v = h == -1 ? 0 : Float.NEGATIVE_INFINITY;
        for (int i = 0; i < a.heads(l); i++) {
            float p = a.attention(l, i, q, k);
            v = h == -1 ? v + p / a.heads(l) : Math.max(v, p);
        }
        return v;
    }

    private void refreshChoices() {
        Analysis a = state.analysis.get();
        if (a == null) return;
        updating = true;
        try {
            List<String> layers = new ArrayList<>();
            for (int l = 0; l < a.layers(); l++) layers.add("layer " + l);
            if (!layer.getItems().equals(layers)) layer.getItems().setAll(layers);
            int l = Math.min(Math.max(0, sel.layer.get()), a.layers() - 1);
            layer.getSelectionModel().select(l);
            List<String> heads = new ArrayList<>(List.of(MEAN, MAX));
            for (int h = 0; h < a.heads(l); h++) heads.add("head " + h);
            if (!head.getItems().equals(heads)) head.getItems().setAll(heads);
            int h = sel.head.get();
            head.getSelectionModel().select(h == -1 ? 0 : h == -2 ? 1 : Math.min(h + 2, heads.size() - 1));
        } finally {
            updating = false;
        }
        redraw();
    }

    private void redraw() {
        Analysis a = state.analysis.get();
        if (a == null) return;
        int l = Math.min(Math.max(0, sel.layer.get()), a.layers() - 1), h = sel.head.get();
        int T = a.tokenCount(), offset = 0;
        float[] values = a.forward().attention().get(l);
        if (h >= 0 && values != null) {
            offset = h * T * T;   // one head is shown in place: no copy of its T x T map per redraw
        } else {
            values = AttentionMaps.map(a, l, h == -1 ? Reduction.MEAN : h == -2 ? Reduction.MAX : Reduction.HEAD, Math.max(0, h));
        }
        ColourScale scale = log.isSelected() ? ColourScale.log(ColourScale.LOG_FLOOR, 1) : ColourScale.linear(0, max(values, offset, T * T));
        map.setData(values, offset, T, T, scale);
        legend.setScale(scale, "p");
        grid.select(l, h);
        entropy.setText(h >= 0 ? String.format(Locale.ROOT, "entropy %.3f nats (uniform over all: %.3f)",
                a.attention().entropy(l, h), Math.log(a.tokenCount())) : "");
    }

    private static float max(float[] v, int from, int n) {
        float m = 0;
        for (int i = from; i < from + n; i++) m = Math.max(m, v[i]);
        return m == 0 ? 1 : m;
    }
}
