package io.moescope.viz.lab;

import io.moescope.analysis.Analysis;
import io.moescope.analysis.AttentionMaps;
import io.moescope.analysis.DifferenceMaps;
import io.moescope.lab.Comparison;
import io.moescope.lab.Mechanism;
import io.moescope.report.heatmap.ColourScale;
import io.moescope.report.lab.LabJson;
import io.moescope.report.lab.LabTables;
import io.moescope.viz.heatmap.ColourLegend;
import io.moescope.viz.heatmap.HeatmapView;
import io.moescope.viz.state.Selection;
import io.moescope.viz.state.WorkbenchState;
import io.moescope.viz.view.AnalysisView;
import io.moescope.viz.view.AttentionView;
import io.moescope.viz.view.ExpertLoadView;
import io.moescope.viz.view.RoutingView;
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
import javafx.scene.control.ScrollPane;
import javafx.scene.control.Spinner;
import javafx.scene.control.SplitPane;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.control.TableView;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;

/**
 * The compare mode: a mechanism editor, then the baseline and the variant side by side in every
 * view that an analysis can show (the ordinary views, two of each, each on its own side's
 * analysis), difference heatmaps and the measured metrics. Selections stay linked across all of
 * them. The comparison itself runs on the controller's compute thread.
 */
public final class CompareView implements AnalysisView {
    private final WorkbenchState state;
    private final WorkbenchState baseline = new WorkbenchState(), variant = new WorkbenchState();
    private final MechanismEditor editor;
    private final BorderPane root = new BorderPane();
    private final TabPane tabs = new TabPane();
    private final List<Pair> pairs = new ArrayList<>();
    private final HeatmapView attentionDiff = new HeatmapView(), routingDiff = new HeatmapView(), loadDiff = new HeatmapView();
    private final ColourLegend attentionLegend = new ColourLegend(), routingLegend = new ColourLegend(), loadLegend = new ColourLegend();
    private final Label attentionTitle = new Label(), summary = new Label("Set a mechanism and press Compare.");
    private final TableView<List<String>> metrics = StringTable.create("lab-metrics"), perLayer = StringTable.create("lab-per-layer");
    private final TableView<List<String>> mechanism = StringTable.create("lab-mechanism");
    private final Spinner<Integer> forceExpert = new Spinner<>(0, 1023, 0);
    private boolean showing;

    /** A view of the baseline and the same view of the variant. */
    private record Pair(Tab tab, AnalysisView left, AnalysisView right) {}

    /** @param run runs a comparison of the current prompt with this variant (the controller's job) */
    public CompareView(WorkbenchState state, Consumer<Mechanism> run) {
        this.state = state;
        for (WorkbenchState side : List.of(baseline, variant)) {
            link(state.selection, side.selection);
            side.presenter.bind(state.presenter);
        }
        editor = new MechanismEditor(this::forceSelected, this::globalSelected);
        Button compare = new Button("Compare");
        compare.setId("lab-compare");
        compare.setDefaultButton(false);
        compare.setOnAction(e -> {
            Analysis a = state.analysis.get();
            if (a == null) {
                state.message.set("analyse a prompt first");
                return;
            }
            try {
                run.accept(editor.mechanism(a.tokens()));
            } catch (IllegalArgumentException ex) {
                state.message.set("mechanism: " + ex.getMessage());
            }
        });
        forceExpert.setPrefWidth(70);
        summary.setId("lab-summary");
        HBox actions = new HBox(8, compare, new Label("expert for a forced token"), forceExpert, summary);
        actions.setAlignment(Pos.CENTER_LEFT);
        actions.setPadding(new Insets(4, 6, 4, 6));
        ScrollPane form = new ScrollPane(editor.node());
        form.setFitToWidth(true);
        form.setPrefViewportHeight(196);   // routing, attention and precision without scrolling
        root.setTop(new VBox(form, actions));

        pair("attention", "Attention", new AttentionView(baseline), new AttentionView(variant));
        pair("load", "Expert load", new ExpertLoadView(baseline, f -> { }), new ExpertLoadView(variant, f -> { }));
        pair("routing", "Routing", new RoutingView(baseline), new RoutingView(variant));
        tabs.getTabs().add(tab("differences", "Differences", differences()));
        tabs.getTabs().add(tab("metrics", "Metrics", new SplitPane(metrics, perLayer)));
        tabs.getTabs().add(tab("model", "Model", modelPane()));
        tabs.getSelectionModel().selectedItemProperty().addListener((o, a, b) -> showPairs());
        root.setCenter(tabs);

        attentionDiff.setSquare(true);
        attentionDiff.setId("lab-attention-diff");
        routingDiff.setId("lab-routing-diff");
        loadDiff.setId("lab-load-diff");
        state.comparison.addListener((o, a, c) -> show(c));
        state.selection.layer.addListener((o, a, b) -> drawAttentionDiff());
        state.selection.head.addListener((o, a, b) -> drawAttentionDiff());
        state.selection.token.addListener((o, a, b) -> highlight());
        state.selection.expert.addListener((o, a, b) -> highlight());
    }

    private static void link(Selection main, Selection side) {
        side.token.bindBidirectional(main.token);
        side.layer.bindBidirectional(main.layer);
        side.head.bindBidirectional(main.head);
        side.expert.bindBidirectional(main.expert);
    }

    private void pair(String id, String title, AnalysisView left, AnalysisView right) {
        Label l = sideTitle("Baseline"), r = sideTitle("Variant");
        r.textProperty().bind(javafx.beans.binding.Bindings.createStringBinding(() -> state.comparison.get() == null ? "Variant"
                : "Variant: " + state.comparison.get().mechanism().label(), state.comparison));
        SplitPane split = new SplitPane(side(l, left.node()), side(r, right.node()));
        split.setOrientation(Orientation.HORIZONTAL);
        Tab t = tab(id, title, split);
        pairs.add(new Pair(t, left, right));
        tabs.getTabs().add(t);
    }

    private static Label sideTitle(String s) {
        Label l = new Label(s);
        l.setStyle("-fx-font-weight: bold; -fx-padding: 2 6 2 6;");
        return l;
    }

    private static VBox side(Label title, Node view) {
        VBox v = new VBox(title, view);
        VBox.setVgrow(view, Priority.ALWAYS);
        return v;
    }

    private static Tab tab(String id, String title, Node content) {
        Tab t = new Tab(title, content);
        t.setId("compare-" + id);
        t.setClosable(false);
        return t;
    }

    private Node differences() {
        routingDiff.setCellText((r, c) -> {
            Comparison cmp = state.comparison.get();
            if (cmp == null) return "";
            var b = cmp.baseline().routing().get(r);
            var v = cmp.variant().routing().get(r);
            return String.format(Locale.ROOT, "layer %d, token %d '%s': experts %s → %s", b.layer(), c, cmp.baseline().tokens().get(c),
                    experts(b, c), experts(v, c));
        });
        loadDiff.setCellText((r, c) -> {
            Comparison cmp = state.comparison.get();
            if (cmp == null) return "";
            long before = cmp.baseline().load().counts()[r][c], after = cmp.variant().load().counts()[r][c];
            return String.format(Locale.ROOT, "layer %d, expert %d: %d → %d tokens (%+d)", cmp.baseline().load().layers()[r], c, before, after, after - before);
        });
        attentionDiff.setCellText((q, k) -> {
            Comparison cmp = state.comparison.get();
            if (cmp == null) return "";
            int l = layer(cmp.baseline());
            float[] b = AttentionMaps.map(cmp.baseline(), l, reduction(), Math.max(0, state.selection.head.get()));
            float[] v = AttentionMaps.map(cmp.variant(), l, reduction(), Math.max(0, state.selection.head.get()));
            int T = cmp.baseline().tokenCount();
            return String.format(Locale.ROOT, "'%s' → '%s': %.4f → %.4f (%+.4f)", cmp.baseline().tokens().get(q),
                    cmp.baseline().tokens().get(k), b[q * T + k], v[q * T + k], v[q * T + k] - b[q * T + k]);
        });
        attentionDiff.setOnCellClicked((q, k) -> state.selection.token.set(q));
        routingDiff.setOnCellClicked((r, c) -> state.selection.token.set(c));
        loadDiff.setOnCellClicked((r, c) -> state.selection.expert.set(c));
        VBox att = new VBox(4, attentionTitle, new HBox(4, grow(attentionDiff), attentionLegend));
        VBox rout = new VBox(4, new Label("Routing changes per MoE layer × token (1 − shared/union experts; 0 = unchanged)"),
                new HBox(4, grow(routingDiff), routingLegend));
        VBox load = new VBox(4, new Label("Tokens per expert, variant − baseline (MoE layer × expert)"), new HBox(4, grow(loadDiff), loadLegend));
        for (VBox b : List.of(att, rout, load)) {
            b.setPadding(new Insets(6));
            VBox.setVgrow(b.getChildren().get(1), Priority.ALWAYS);
        }
        SplitPane right = new SplitPane(rout, load);
        right.setOrientation(Orientation.VERTICAL);
        return new SplitPane(att, right);
    }

    private static HeatmapView grow(HeatmapView h) {
        HBox.setHgrow(h, Priority.ALWAYS);
        return h;
    }

    private Node modelPane() {
        Label note = new Label("The model's configuration and tensors are in the Model tab; the variant runs the same weights "
                + "with the changes below. Gradients are not compared: the interventions apply at inference only.");
        note.setWrapText(true);
        VBox v = new VBox(6, note, mechanism);
        v.setPadding(new Insets(6));
        VBox.setVgrow(mechanism, Priority.ALWAYS);
        return v;
    }

    private static String experts(io.moescope.analysis.LayerRouting r, int t) {
        StringBuilder s = new StringBuilder("{");
        for (int x = 0; x < r.k(); x++) s.append(x == 0 ? "" : ",").append(r.topkIndex()[t * r.k() + x]);
        return s.append('}').toString();
    }

    private void forceSelected() {
        int t = state.selection.token.get();
        if (t < 0) {
            state.message.set("select a token (click a chip) to force it to an expert");
            return;
        }
        editor.addForced(t, forceExpert.getValue());
    }

    private void globalSelected() {
        int t = state.selection.token.get();
        if (t < 0) {
            state.message.set("select a token (click a chip) to make it global");
            return;
        }
        editor.addGlobal(t);
    }

    public MechanismEditor editor() {
        return editor;
    }

    private void show(Comparison c) {
        baseline.analysis.set(c == null ? null : c.baseline());
        variant.analysis.set(c == null ? null : c.variant());
        if (c == null) {
            summary.setText("Set a mechanism and press Compare.");
            metrics.getItems().clear();
            perLayer.getItems().clear();
            return;
        }
        var m = c.metrics();
        summary.setText(String.format(Locale.ROOT, "%s: mean KL %.4g nats · top-1 agreement %.3f · perplexity %.2f → %.2f · routing flips %.3f",
                c.mechanism().label(), m.meanKl(), m.top1Agreement(), m.baselinePerplexity(), m.variantPerplexity(), m.meanRoutingFlips()));
        StringTable.show(metrics, LabTables.metrics(c));
        StringTable.show(perLayer, LabTables.perLayer(c));
        StringTable.show(mechanism, mechanismTable(c.mechanism()));
        drawAttentionDiff();
        if (c.baseline().hasMoe() && c.variant().hasMoe()) {
            List<String> layers = new ArrayList<>();
            for (int x : c.baseline().load().layers()) layers.add("L" + x);
            List<String> tokens = new ArrayList<>(c.baseline().tokens());
            float[] change = DifferenceMaps.routingChange(c.baseline(), c.variant());
            routingDiff.setData(change, layers.size(), tokens.size(), ColourScale.linear(0, 1));
            routingDiff.setLabels(layers, tokens);
            routingLegend.setScale(ColourScale.linear(0, 1), "changed");
            float[] load = DifferenceMaps.load(c.baseline(), c.variant());
            ColourScale ls = ColourScale.diverging(DifferenceMaps.maxAbs(load, 1));
            List<String> experts = new ArrayList<>();
            for (int e = 0; e < c.baseline().load().experts(); e++) experts.add("E" + e);
            loadDiff.setData(load, layers.size(), experts.size(), ls);
            loadDiff.setLabels(layers, experts);
            loadLegend.setScale(ls, "Δ tokens");
        }
        highlight();
    }

    private static io.moescope.report.export.ReportContent.Table mechanismTable(Mechanism m) {
        return new io.moescope.report.export.ReportContent.Table("Variant", List.of("part", "setting"), List.of(
                List.of("routing", m.routing().isNone() ? MechanismEditor.OWN : LabJson.describe(m.routing())),
                List.of("attention", m.attention() == null ? MechanismEditor.OWN : m.attention().toString()),
                List.of("weights", m.precision().weights().cliName()),
                List.of("activations", m.precision().activations().cliName())));
    }

    private AttentionMaps.Reduction reduction() {
        return state.selection.head.get() < 0 ? AttentionMaps.Reduction.MEAN : AttentionMaps.Reduction.HEAD;
    }

    private int layer(Analysis a) {
        return Math.max(0, Math.min(a.layers() - 1, state.selection.layer.get()));
    }

    private void drawAttentionDiff() {
        Comparison c = state.comparison.get();
        if (c == null) return;
        int l = layer(c.baseline()), head = state.selection.head.get();
        if (head >= c.baseline().heads(l)) head = -1;
        float[] d = DifferenceMaps.attention(c.baseline(), c.variant(), l, head < 0 ? AttentionMaps.Reduction.MEAN : AttentionMaps.Reduction.HEAD, Math.max(0, head));
        ColourScale s = ColourScale.diverging(DifferenceMaps.maxAbs(d, 1e-6));
        List<String> tokens = c.baseline().tokens();
        attentionDiff.setData(d, tokens.size(), tokens.size(), s);
        attentionDiff.setLabels(tokens, tokens);
        attentionLegend.setScale(s, "Δ prob.");
        attentionTitle.setText("Attention, variant − baseline: layer " + l + (head < 0 ? ", mean over heads" : ", head " + head)
                + " (red: more, blue: less)");
    }

    private void highlight() {
        int t = state.selection.token.get(), e = state.selection.expert.get();
        attentionDiff.setHighlight(t, -1);
        routingDiff.setHighlight(-1, t);
        loadDiff.setHighlight(-1, e);
    }

    private void showPairs() {
        Tab selected = tabs.getSelectionModel().getSelectedItem();
        for (Pair p : pairs) {
            boolean on = showing && p.tab() == selected;
            p.left().setShowing(on);
            p.right().setShowing(on);
        }
    }

    /** Shows a sub-tab: attention, load, routing, differences, metrics or model. */
    public void showTab(String id) {
        for (Tab t : tabs.getTabs()) if (t.getId().equals("compare-" + id)) tabs.getSelectionModel().select(t);
    }

    /** The two views of a sub-tab (attention, load, routing): baseline first. */
    public List<AnalysisView> sides(String id) {
        for (Pair p : pairs) if (p.tab().getId().equals("compare-" + id)) return List.of(p.left(), p.right());
        throw new IllegalArgumentException("no side-by-side tab '" + id + "'");
    }

    public HeatmapView attentionDifference() {
        return attentionDiff;
    }

    public HeatmapView routingDifference() {
        return routingDiff;
    }

    public HeatmapView loadDifference() {
        return loadDiff;
    }

    public TableView<List<String>> metricsTable() {
        return metrics;
    }

    @Override
    public String id() {
        return "compare";
    }

    @Override
    public String title() {
        return "Compare";
    }

    @Override
    public Node node() {
        return root;
    }

    @Override
    public void setShowing(boolean on) {
        showing = on;
        showPairs();
    }

    @Override
    public void setPresenter(boolean on) {
        for (Pair p : pairs) {
            p.left().setPresenter(on);
            p.right().setPresenter(on);
        }
    }

    @Override
    public List<NamedChart> charts() {
        List<NamedChart> out = new ArrayList<>();
        Tab selected = tabs.getSelectionModel().getSelectedItem();
        for (Pair p : pairs) {
            if (p.tab() != selected) continue;
            for (NamedChart c : p.left().charts()) out.add(new NamedChart("baseline-" + c.name(), c.chart()));
            for (NamedChart c : p.right().charts()) out.add(new NamedChart("variant-" + c.name(), c.chart()));
        }
        return out;
    }

    @Override
    public boolean hasData() {
        return state.comparison.get() != null;
    }
}
