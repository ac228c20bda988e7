package io.moescope.report.export;

import io.moescope.analysis.Analysis;
import io.moescope.analysis.AnalysisJson;
import io.moescope.analysis.AttentionMaps;
import io.moescope.analysis.ExpertLoad;
import io.moescope.analysis.LayerRouting;
import io.moescope.report.chart.HeadEntropyChart;
import io.moescope.report.chart.LoadChart;
import io.moescope.report.chart.RouterCharts;
import io.moescope.report.chart.SankeyChart;
import io.moescope.report.heatmap.ColourScale;
import io.moescope.report.heatmap.Palette;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Builds the report of one analysed prompt from the analysis alone, with AWT and JFreeChart: no
 * window is needed, so `moescope report` runs headless and the workbench's "Export report" writes
 * exactly the same file.
 */
public final class ReportBuilder {
    private ReportBuilder() {}

    /** Attention figures for at most this many layers, so that a deep model's report stays readable. */
    static final int MAX_ATTENTION_LAYERS = 12;

    public static ReportContent build(Analysis a, Path modelDir, String backend) {
        return build(a, modelDir, backend, null);
    }

    /**
     * @param precision how the weights are stored ("F32, 3.1 M parameters"), or null where unknown
     */
    public static ReportContent build(Analysis a, Path modelDir, String backend, String precision) {
        List<String> summary = new ArrayList<>();
        String prompt = prompt(a);
        summary.add("Model: " + modelDir.getFileName() + " (" + a.config().architecture().modelType() + "), "
                + modelDir.toAbsolutePath().normalize());
        ModelCard.summary(modelDir).ifPresent(card -> summary.add("Model card: " + card));
        summary.add("Prompt: " + prompt);
        summary.add("Tokens: " + a.tokenCount());
        summary.add("Backend: " + backend);
        if (precision != null) summary.add("Precision: " + precision);
        summary.add(Double.isFinite(a.forward().loss())
                ? String.format(Locale.ROOT, "Next-token loss: %.4f nats", a.forward().loss()) : "Next-token loss: undefined for one token");
        if (a.hasMoe()) {
            summary.add(String.format(Locale.ROOT, "Expert load: auxiliary loss %.4f over %d MoE layers of %d experts",
                    a.load().auxLoss(), a.load().moeLayers(), a.load().experts()));
        }
        summary.add("Analysed: in " + String.format(Locale.ROOT, "%.1f ms", a.totalNanos() / 1e6) + ", "
                + ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
        String on = " on \"" + shorten(prompt) + "\"";
        List<ReportContent.Figure> figures = new ArrayList<>();
        List<String> tokens = labels(a);
        figures.add(new ReportContent.Figure("tokens", "The prompt's " + a.tokenCount() + " tokens, boundaries as thin rules, positions below",
                TokenStrip.drawing(a.tokens().stream().map(TokenStrip::plain).toList(), 480)));
        for (int l = 0; l < Math.min(a.layers(), MAX_ATTENTION_LAYERS); l++) {
            float[] mean = AttentionMaps.map(a, l, AttentionMaps.Reduction.MEAN, 0);
            figures.add(new ReportContent.Figure("attention-layer-" + l, "Attention of layer " + l + ", mean over heads, query rows by key columns (log colour scale)" + on,
                    AwtHeatmap.drawing("attention, layer " + l + ", mean of " + a.heads(l) + " heads", mean, a.tokenCount(),
                            a.tokenCount(), ColourScale.log(ColourScale.LOG_FLOOR, 1), null, tokens, tokens, 520)));
        }
        figures.add(chart("attention-entropy", "Mean attention entropy per head, by layer" + on, HeadEntropyChart.of(a.attention())));
        if (a.hasMoe()) {
            ExpertLoad load = a.load();
            figures.add(chart("expert-load", "Tokens routed to each expert in each MoE layer" + on, LoadChart.of(load, "tokens per expert")));
            figures.add(new ReportContent.Figure("load-heatmap", "Tokens per expert: MoE layers by experts" + on,
                    AwtHeatmap.drawing("tokens per expert", loadValues(load), load.moeLayers(), load.experts(),
                            ColourScale.linear(0, max(load)), null, layerLabels(load), expertLabels(load.experts()), 480)));
            figures.add(new ReportContent.Figure("routing-grid", "Top-1 expert of each token in each MoE layer (colour = expert)" + on,
                    AwtHeatmap.drawing("top-1 expert per token", top1(a), a.routing().size(), a.tokenCount(), null,
                            Palette.EXPERTS, layerLabels(load), tokens, 640)));
            LayerRouting first = a.routing().getFirst();
            figures.add(new ReportContent.Figure("co-activation", "Expert co-activation in layer " + first.layer() + ": tokens routed to both experts" + on,
                    AwtHeatmap.drawing("co-activation, layer " + first.layer(), coActivation(first), first.experts(), first.experts(),
                            ColourScale.linear(0, maxOffDiagonal(first)), null, expertLabels(first.experts()),
                            expertLabels(first.experts()), 360)));
            if (!a.flows().isEmpty()) {
                figures.add(chart("routing-sankey", "Flow of tokens' top-1 experts from layer to layer" + on, SankeyChart.of(a.flows(), "top-1 expert, layer to layer")));
            }
            figures.add(chart("router-entropy", "Router entropy per token in layer " + first.layer() + on, RouterCharts.entropy(first, a.tokens().stream().map(t -> TokenStrip.plain(t).strip()).toList())));
        }
        figures.removeIf(f -> f.drawing() == null);
        return new ReportContent("MoEScope report: " + modelDir.getFileName(), summary, figures, tables(a),
                AnalysisJson.toPrettyString(a));
    }

    /** The prompt as text: the tokens' text joined, spaces as spaces. */
    static String prompt(Analysis a) {
        StringBuilder s = new StringBuilder();
        for (String t : a.tokens()) s.append(TokenStrip.plain(t));
        return s.toString();
    }

    /** At most 40 characters of the prompt, for captions. */
    private static String shorten(String prompt) {
        String one = prompt.strip().replace('\n', ' ');
        return one.length() <= 40 ? one : one.substring(0, 39).stripTrailing() + "…";
    }

    private static ReportContent.Figure chart(String name, String caption, org.jfree.chart.JFreeChart chart) {
        return new ReportContent.Figure(name, caption, chart == null ? null : Drawing.of(chart, 720, 400));
    }

    private static List<ReportContent.Table> tables(Analysis a) {
        List<ReportContent.Table> out = new ArrayList<>();
        if (a.hasMoe()) {
            ExpertLoad l = a.load();
            List<List<String>> rows = new ArrayList<>();
            for (int i = 0; i < l.moeLayers(); i++) {
                rows.add(List.of(Integer.toString(l.layers()[i]), f(l.coefficientOfVariation(i)), f(l.maxOverMean(i)),
                        f(l.auxLossPerLayer()[i]), Long.toString(l.dropped(i, 1.0)), Long.toString(l.dropped(i, 1.25))));
            }
            rows.add(List.of("all", "", "", f(l.auxLoss()), Long.toString(l.dropped(1.0)), Long.toString(l.dropped(1.25))));
            out.add(new ReportContent.Table("Expert load balance per MoE layer",
                    List.of("layer", "coeff. of variation", "max / mean", "aux loss", "dropped at CF 1.0", "dropped at CF 1.25"), rows));
        }
        List<List<String>> heads = new ArrayList<>();
        double[][] e = a.attention().entropy();
        int maxHeads = 0;
        for (double[] row : e) maxHeads = Math.max(maxHeads, row.length);
        for (int l = 0; l < e.length; l++) {
            List<String> row = new ArrayList<>(List.of(Integer.toString(l)));
            for (int h = 0; h < maxHeads; h++) row.add(h < e[l].length ? f(e[l][h]) : "");
            heads.add(row);
        }
        List<String> header = new ArrayList<>(List.of("layer"));
        for (int h = 0; h < maxHeads; h++) header.add("head " + h);
        out.add(new ReportContent.Table("Attention entropy per head (nats)", header, heads));

        List<List<String>> toks = new ArrayList<>();
        for (int t = 0; t < a.tokenCount(); t++) {
            List<String> row = new ArrayList<>(List.of(Integer.toString(t), Integer.toString(a.ids()[t]), "\"" + TokenStrip.plain(a.tokens().get(t)) + "\""));
            for (LayerRouting r : a.routing()) row.add("E" + r.top1(t) + String.format(Locale.ROOT, " (%.2f)", r.topkWeight()[t * r.k()]));
            toks.add(row);
        }
        List<String> th = new ArrayList<>(List.of("position", "id", "token"));
        for (LayerRouting r : a.routing()) th.add("top-1, layer " + r.layer());
        out.add(new ReportContent.Table("Tokens and their top-1 expert", th, toks));
        return out;
    }

    private static List<String> labels(Analysis a) {
        List<String> out = new ArrayList<>();
        for (int t = 0; t < a.tokenCount(); t++) out.add(t + " " + TokenStrip.plain(a.tokens().get(t)).strip());
        return out;
    }

    private static List<String> layerLabels(ExpertLoad l) {
        List<String> out = new ArrayList<>();
        for (int x : l.layers()) out.add("layer " + x);
        return out;
    }

    private static List<String> expertLabels(int E) {
        List<String> out = new ArrayList<>();
        for (int e = 0; e < E; e++) out.add("E" + e);
        return out;
    }

    private static float[] loadValues(ExpertLoad l) {
        float[] v = new float[l.moeLayers() * l.experts()];
        for (int i = 0; i < l.moeLayers(); i++) for (int e = 0; e < l.experts(); e++) v[i * l.experts() + e] = l.counts()[i][e];
        return v;
    }

    private static double max(ExpertLoad l) {
        long m = 1;
        for (long[] row : l.counts()) for (long x : row) m = Math.max(m, x);
        return m;
    }

    private static float[] top1(Analysis a) {
        int T = a.tokenCount();
        float[] v = new float[a.routing().size() * T];
        for (int i = 0; i < a.routing().size(); i++) for (int t = 0; t < T; t++) v[i * T + t] = a.routing().get(i).top1(t);
        return v;
    }

    private static float[] coActivation(LayerRouting r) {
        int E = r.experts();
        float[] v = new float[E * E];
        for (int i = 0; i < E; i++) for (int j = 0; j < E; j++) v[i * E + j] = r.coActivation()[i][j];
        return v;
    }

    private static double maxOffDiagonal(LayerRouting r) {
        long m = 1;
        for (int i = 0; i < r.experts(); i++) for (int j = 0; j < r.experts(); j++) if (i != j) m = Math.max(m, r.coActivation()[i][j]);
        return m;
    }

    private static String f(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.4f", v) : "—";
    }
}
