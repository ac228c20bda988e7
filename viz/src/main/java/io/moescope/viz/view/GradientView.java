package io.moescope.viz.view;

import io.moescope.grad.ComponentFlow;
import io.moescope.grad.GradientFlowReport;
import io.moescope.grad.LayerFlow;
import io.moescope.report.chart.GradientCharts;
import io.moescope.report.heatmap.ColourScale;
import io.moescope.viz.heatmap.ColourLegend;
import io.moescope.viz.heatmap.HeatmapView;
import io.moescope.viz.state.WorkbenchState;
import io.moescope.viz.widget.ChartPane;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.DoubleConsumer;
import javafx.geometry.Insets;
import javafx.geometry.Orientation;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.SplitPane;
import javafx.scene.control.TextField;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;

/**
 * Gradient flow of the prompt's next-token loss: norm per layer and component (log scale), a
 * layers x experts heatmap of expert gradient norms, the residual stream's gradient norm, and
 * vanishing or exploding layers called out. Gradients cost a backward pass, so they are computed
 * when this tab is shown (by the controller, off the FX thread), not with every analysis.
 */
public final class GradientView implements AnalysisView {
    private final WorkbenchState state;
    private final BorderPane root = new BorderPane();
    private final ChartPane components = Charts.viewer();
    private final ChartPane residual = Charts.viewer();
    private final HeatmapView experts = new HeatmapView();
    private final ColourLegend legend = new ColourLegend();
    private final Label summary = new Label("Gradients are computed when this tab is shown.");
    private final Label flags = new Label();
    private final TextField learningRate = new TextField("1e-3");
    private boolean presenter;

    /** @param compute asks the controller for gradients at a learning rate (for the update ratios) */
    public GradientView(WorkbenchState state, DoubleConsumer compute) {
        this.state = state;
        experts.setId("gradient-heatmap");
        summary.setId("gradient-summary");
        summary.setWrapText(true);
        flags.setId("gradient-flags");
        learningRate.setPrefColumnCount(6);
        Button run = new Button("Compute");
        run.setOnAction(e -> compute.accept(lr()));
        HBox controls = new HBox(8, new Label("Learning rate (for update/weight ratios)"), learningRate, run, flags);
        controls.setAlignment(Pos.CENTER_LEFT);
        VBox top = new VBox(4, controls, summary);
        top.setPadding(new Insets(6));
        HBox hm = new HBox(4, experts, legend);
        HBox.setHgrow(experts, Priority.ALWAYS);
        VBox hmBox = new VBox(2, new Label("Gradient norm of each routed expert (log)"), hm);
        VBox.setVgrow(hm, Priority.ALWAYS);
        SplitPane upper = new SplitPane(components, hmBox);
        upper.setDividerPositions(0.6);
        SplitPane main = new SplitPane(upper, residual);
        main.setOrientation(Orientation.VERTICAL);
        main.setDividerPositions(0.6);
        root.setTop(top);
        root.setCenter(main);
        state.gradients.addListener((o, a, b) -> show(b));
        experts.setOnCellClicked((r, c) -> {
            GradientFlowReport g = state.gradients.get();
            if (g != null) {
                state.selection.layer.set(moeLayers(g).get(r).layer());
                state.selection.expert.set(c);
            }
        });
        state.selection.expert.addListener((o, a, b) -> highlight());
        state.selection.layer.addListener((o, a, b) -> highlight());
    }

    public double lr() {
        try {
            return Double.parseDouble(learningRate.getText().strip());
        } catch (NumberFormatException e) {
            return 1e-3;
        }
    }

    @Override
    public String id() {
        return "gradients";
    }

    @Override
    public String title() {
        return "Gradient flow";
    }

    @Override
    public Node node() {
        return root;
    }

    @Override
    public boolean hasData() {
        return Charts.hasChart(components);
    }

    public HeatmapView expertHeatmap() {
        return experts;
    }

    public String summaryText() {
        return summary.getText();
    }

    @Override
    public List<NamedChart> charts() {
        List<NamedChart> out = new ArrayList<>();
        if (Charts.hasChart(components)) out.add(new NamedChart("gradient-norms", components.getChart()));
        if (Charts.hasChart(residual)) out.add(new NamedChart("residual-gradient", residual.getChart()));
        return out;
    }

    @Override
    public void setPresenter(boolean on) {
        presenter = on;
        experts.setLabelFontSize(on ? 16 : 11);
        show(state.gradients.get());
    }

    private static List<LayerFlow> moeLayers(GradientFlowReport g) {
        return g.layers().stream().filter(l -> l.moe() && l.expertTokens() != null).toList();
    }

    private void show(GradientFlowReport g) {
        if (g == null) return;
        summary.setText(String.format(Locale.ROOT, "loss %.4f · total gradient norm %.4g · %d tokens · residual |dL/dh| from %.3g (embeddings) to %.3g (last layer)",
                g.loss(), g.totalGradNorm(), g.tokens(), g.residualGradNorms()[0], g.residualGradNorms()[g.residualGradNorms().length - 1]));
        List<String> flagged = new ArrayList<>();
        for (LayerFlow l : g.layers()) {
            if (l.vanishing()) flagged.add("layer " + l.layer() + " vanishing");
            if (l.exploding()) flagged.add("layer " + l.layer() + " exploding");
        }
        flags.setText(flagged.isEmpty() ? "no vanishing or exploding layers" : "⚠ " + String.join(", ", flagged));
        flags.setStyle(flagged.isEmpty() ? "-fx-text-fill: #2a7a2a;" : "-fx-text-fill: #c0392b; -fx-font-weight: bold;");
        Charts.show(components, GradientCharts.perComponent(g), presenter);
        Charts.show(residual, GradientCharts.residual(g), presenter);
        List<LayerFlow> moe = moeLayers(g);
        if (moe.isEmpty()) return;
        int E = moe.getFirst().expertTokens().length;
        float[] values = new float[moe.size() * E];
        double min = Double.POSITIVE_INFINITY, max = 0;
        for (int i = 0; i < moe.size(); i++) {
            for (int e = 0; e < E; e++) {
                ComponentFlow c = moe.get(i).component("expert." + e);
                double v = c == null ? 0 : c.gradNorm();
                values[i * E + e] = (float) v;
                if (v > 0) min = Math.min(min, v);
                max = Math.max(max, v);
            }
        }
        ColourScale scale = max > 0 ? new ColourScale(ColourScale.Kind.LOG, Math.min(min, max / 10), max) : ColourScale.linear(0, 1);
        experts.setData(values, moe.size(), E, scale);
        legend.setScale(scale, "‖grad‖");
        List<String> rows = new ArrayList<>(), cols = new ArrayList<>();
        for (LayerFlow l : moe) rows.add("layer " + l.layer());
        for (int e = 0; e < E; e++) cols.add("E" + e);
        experts.setLabels(rows, cols);
        experts.setCellText((r, c) -> {
            LayerFlow l = moe.get(r);
            ComponentFlow f = l.component("expert." + c);
            return String.format(Locale.ROOT, "layer %d, expert %d: ‖grad‖ %.4g, update/weight %.3g, %d tokens",
                    l.layer(), c, f == null ? 0 : f.gradNorm(), f == null ? 0 : f.updateRatio(), l.expertTokens()[c]);
        });
        highlight();
    }

    private void highlight() {
        GradientFlowReport g = state.gradients.get();
        if (g == null) return;
        List<LayerFlow> moe = moeLayers(g);
        int row = -1;
        for (int i = 0; i < moe.size(); i++) if (moe.get(i).layer() == state.selection.layer.get()) row = i;
        experts.setHighlight(row, state.selection.expert.get());
    }
}
