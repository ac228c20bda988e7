package io.moescope.viz.view;

import io.moescope.analysis.Analysis;
import io.moescope.analysis.LayerRouting;
import io.moescope.report.chart.RouterCharts;
import io.moescope.report.chart.SankeyChart;
import io.moescope.report.heatmap.ColourScale;
import io.moescope.report.heatmap.Palette;
import io.moescope.viz.heatmap.HeatmapView;
import io.moescope.viz.state.Selection;
import io.moescope.viz.state.WorkbenchState;
import io.moescope.viz.widget.ChartPane;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javafx.geometry.Insets;
import javafx.geometry.Orientation;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.ChoiceBox;
import javafx.scene.control.Label;
import javafx.scene.control.SplitPane;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;

/**
 * Routing decisions: a token x layer grid coloured by each token's top-1 expert; the prompt
 * coloured by expert for one layer; that layer's expert co-activation; the flow of top-1 choices
 * from layer to layer (Sankey); the router's distribution for the selected token and its entropy
 * for every token.
 */
public final class RoutingView extends LazyView {
    private final WorkbenchState state;
    private final Selection sel;
    private final BorderPane root = new BorderPane();
    private final ChoiceBox<String> layerChoice = new ChoiceBox<>();
    private final HeatmapView grid = new HeatmapView();
    private final HeatmapView coActivation = new HeatmapView();
    private final ExpertColouredText text;
    private final ChartPane sankey = Charts.viewer();
    private final ChartPane distribution = Charts.viewer();
    private final ChartPane entropy = Charts.viewer();
    private final Label note = new Label();
    private boolean presenter, updating;

    public RoutingView(WorkbenchState state) {
        this.state = state;
        this.sel = state.selection;
        this.text = new ExpertColouredText(sel);
        grid.setId("routing-grid");
        coActivation.setId("co-activation");
        coActivation.setSquare(true);
        coActivation.setPrefSize(300, 300);
        HBox controls = new HBox(8, new Label("MoE layer"), layerChoice, note);
        controls.setAlignment(Pos.CENTER_LEFT);
        controls.setPadding(new Insets(6));

        VBox gridBox = titled("Top-1 expert of every token in every MoE layer (hover: top-k and weights)", grid);
        VBox coBox = titled("Co-activation: tokens that chose both experts", coActivation);
        SplitPane top = new SplitPane(gridBox, coBox);
        top.setDividerPositions(0.68);
        VBox textBox = titled("The prompt, coloured by top-1 expert in the chosen layer", text.node());
        SplitPane bottom = new SplitPane(sankey, distribution, entropy);
        bottom.setDividerPositions(0.36, 0.66);
        SplitPane main = new SplitPane(top, textBox, bottom);
        main.setOrientation(Orientation.VERTICAL);
        main.setDividerPositions(0.36, 0.5);
        root.setTop(controls);
        root.setCenter(main);

        layerChoice.getSelectionModel().selectedItemProperty().addListener((o, a, b) -> {
            if (!updating && b != null) sel.layer.set(Integer.parseInt(b.substring(b.indexOf(' ') + 1)));
        });
        grid.setOnCellClicked((r, c) -> {
            Analysis a = state.analysis.get();
            sel.token.set(c);
            sel.layer.set(a.routing().get(r).layer());
        });
        coActivation.setOnCellClicked((r, c) -> sel.expert.set(r));
        sel.layer.addListener((o, a, b) -> whenShown(this::refreshLayer));
        sel.token.addListener((o, a, b) -> whenShown(this::refreshToken));
        sel.expert.addListener((o, a, b) -> whenShown(this::refreshToken));
        state.analysis.addListener((o, a, b) -> whenShown(this::refreshAll));
    }

    private static VBox titled(String title, Node content) {
        Label l = new Label(title);
        l.setStyle("-fx-font-weight: bold;");
        VBox box = new VBox(2, l, content);
        VBox.setVgrow(content, Priority.ALWAYS);
        box.setPadding(new Insets(4));
        return box;
    }

    @Override
    public String id() {
        return "routing";
    }

    @Override
    public String title() {
        return "Routing";
    }

    @Override
    public Node node() {
        return root;
    }

    @Override
    public boolean hasData() {
        return grid.rows() > 0;
    }

    public HeatmapView grid() {
        return grid;
    }

    public HeatmapView coActivation() {
        return coActivation;
    }

    @Override
    public List<NamedChart> charts() {
        List<NamedChart> out = new ArrayList<>();
        if (Charts.hasChart(sankey)) out.add(new NamedChart("routing-sankey", sankey.getChart()));
        if (Charts.hasChart(distribution)) out.add(new NamedChart("router-distribution", distribution.getChart()));
        if (Charts.hasChart(entropy)) out.add(new NamedChart("router-entropy", entropy.getChart()));
        return out;
    }

    @Override
    public void setPresenter(boolean on) {
        presenter = on;
        grid.setLabelFontSize(on ? 16 : 11);
        coActivation.setLabelFontSize(on ? 16 : 11);
        text.setPresenter(on);
        whenShown(this::refreshAll);
    }

    @Override
    protected void refreshAll() {
        Analysis a = state.analysis.get();
        if (a == null) return;
        if (!a.hasMoe()) {
            note.setText("This model has no MoE layers.");
            return;
        }
        note.setText(a.config().numExperts() + " experts, top-" + a.config().topK());
        int L = a.routing().size(), T = a.tokenCount();
        float[] top1 = new float[L * T];
        List<String> rows = new ArrayList<>();
        for (int i = 0; i < L; i++) {
            LayerRouting r = a.routing().get(i);
            rows.add("layer " + r.layer());
            for (int t = 0; t < T; t++) top1[i * T + t] = r.top1(t);
        }
        grid.setCategories(top1, L, T, Palette.EXPERTS);
        grid.setLabels(rows, TokenLabels.of(a));
        grid.setCellText((i, t) -> TokenLabels.routing(a, a.routing().get(i), t));
        Charts.show(sankey, SankeyChart.of(a.flows(), "top-1 expert, layer to layer"), presenter);
        updating = true;
        try {
            layerChoice.getItems().setAll(rows);
        } finally {
            updating = false;
        }
        refreshLayer();
    }

    /** The MoE layer the layer-specific parts show: the selected layer if it is MoE, else the first. */
    private LayerRouting layer(Analysis a) {
        return a.routingOfLayer(sel.layer.get()).orElse(a.routing().getFirst());
    }

    private void refreshLayer() {
        Analysis a = state.analysis.get();
        if (a == null || !a.hasMoe()) return;
        LayerRouting r = layer(a);
        updating = true;
        try {
            layerChoice.getSelectionModel().select("layer " + r.layer());
        } finally {
            updating = false;
        }
        int E = r.experts();
        float[] co = new float[E * E];
        float max = 1;
        for (int i = 0; i < E; i++) {
            for (int j = 0; j < E; j++) {
                co[i * E + j] = r.coActivation()[i][j];
                if (i != j) max = Math.max(max, co[i * E + j]);
            }
        }
        // the diagonal (each expert's own count) would swamp the pairs; the scale is set by the pairs
        coActivation.setData(co, E, E, ColourScale.linear(0, max));
        List<String> names = new ArrayList<>();
        for (int e = 0; e < E; e++) names.add("E" + e);
        coActivation.setLabels(names, names);
        coActivation.setCellText((i, j) -> i == j
                ? String.format(Locale.ROOT, "expert %d was chosen by %d tokens", i, r.coActivation()[i][i])
                : String.format(Locale.ROOT, "experts %d and %d together: %d tokens", i, j, r.coActivation()[i][j]));
        text.show(a, r);
        Charts.show(entropy, RouterCharts.entropy(r, a.tokens()), presenter);
        refreshToken();
    }

    private void refreshToken() {
        Analysis a = state.analysis.get();
        if (a == null || !a.hasMoe()) return;
        LayerRouting r = layer(a);
        int t = sel.token.get();
        int row = a.routing().indexOf(r);
        grid.setHighlight(row, t);
        if (t < 0 || t >= a.tokenCount()) t = a.tokenCount() - 1;   // nothing picked: the last token, whose next word is being predicted
        coActivation.setHighlight(sel.expert.get(), sel.expert.get());
        text.highlight(t);
        Charts.show(distribution, RouterCharts.distribution(r, t, t >= 0 ? a.tokens().get(t) : ""), presenter);
    }
}
