package io.moescope.report.lab;

import io.moescope.lab.Comparison;
import io.moescope.lab.NumberFormat;
import io.moescope.lab.SweepKind;
import io.moescope.lab.SweepPoint;
import io.moescope.lab.SweepResult;
import io.moescope.lab.VariantMetrics;
import io.moescope.report.export.ReportContent;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The mechanism lab's numbers as tables: one row per sweep value, and a comparison's metrics. The
 * workbench shows the same tables the report prints.
 */
public final class LabTables {
    private LabTables() {}

    public static final List<String> SWEEP_HEADER = List.of("value", "variant", "mean KL", "top-1 agreement",
            "perplexity", "baseline ppl", "routing flips", "attention mass kept", "dropped slots", "time (ms)",
            "baseline (ms)", "weights (MB)");

    /** How a sweep value reads on an axis or in a table: a format's name for precision, else the number. */
    public static String valueLabel(SweepKind kind, SweepPoint p) {
        if (kind == SweepKind.PRECISION) {
            int i = (int) p.value();
            return i >= 0 && i < NumberFormat.values().length ? NumberFormat.values()[i].cliName() : p.mechanism().label();
        }
        return number(p.value());
    }

    public static ReportContent.Table sweep(SweepResult r) {
        List<List<String>> rows = new ArrayList<>();
        for (SweepPoint p : r.points()) {
            VariantMetrics m = p.metrics();
            rows.add(List.of(valueLabel(r.kind(), p), p.mechanism().label(), f(m.meanKl()), f(m.top1Agreement()),
                    f(m.variantPerplexity()), f(m.baselinePerplexity()), f(m.meanRoutingFlips()), f(m.meanAttentionMassKept()),
                    Long.toString(m.totalDroppedSlots()), ms(m.variantNanos()), ms(m.baselineNanos()), mb(m.variantBytes())));
        }
        return new ReportContent.Table("Sweep over " + r.kind().axisLabel() + " (" + r.tokens() + " tokens of text)",
                SWEEP_HEADER, rows);
    }

    /** A comparison's figures, one per row. */
    public static ReportContent.Table metrics(Comparison c) {
        VariantMetrics m = c.metrics();
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("mean KL(baseline || variant), nats", f(m.meanKl())));
        rows.add(List.of("top-1 agreement", f(m.top1Agreement())));
        rows.add(List.of("perplexity, baseline", f(m.baselinePerplexity())));
        rows.add(List.of("perplexity, variant", f(m.variantPerplexity())));
        rows.add(List.of("routing flips (mean over MoE layers)", f(m.meanRoutingFlips())));
        rows.add(List.of("attention mass kept (mean over layers)", f(m.meanAttentionMassKept())));
        rows.add(List.of("dropped token slots", Long.toString(m.totalDroppedSlots())));
        rows.add(List.of("forward time, baseline (ms)", ms(m.baselineNanos())));
        rows.add(List.of("forward time, variant (ms)", ms(m.variantNanos())));
        rows.add(List.of("weights, baseline (MB)", mb(m.baselineBytes())));
        rows.add(List.of("weights, variant (MB)", mb(m.variantBytes())));
        return new ReportContent.Table("Variant " + c.mechanism().label() + " against the baseline", List.of("measure", "value"), rows);
    }

    /** Per MoE layer: flips, load balance before and after, dropped slots. */
    public static ReportContent.Table perLayer(Comparison c) {
        VariantMetrics m = c.metrics();
        List<List<String>> rows = new ArrayList<>();
        for (int i = 0; i < m.moeLayers().length; i++) {
            rows.add(List.of(Integer.toString(m.moeLayers()[i]), f(at(m.routingFlips(), i)), f(at(m.loadCvBefore(), i)),
                    f(at(m.loadCvAfter(), i)), f(at(m.maxOverMeanBefore(), i)), f(at(m.maxOverMeanAfter(), i)),
                    i < m.droppedSlots().length ? Long.toString(m.droppedSlots()[i]) : ""));
        }
        return new ReportContent.Table("Routing and load per MoE layer, baseline → variant", List.of("layer", "routing flips",
                "load CV before", "load CV after", "max/mean before", "max/mean after", "dropped slots"), rows);
    }

    private static double at(double[] a, int i) {
        return i < a.length ? a[i] : Double.NaN;
    }

    /** A swept value as a label: whole numbers as they are, others to three significant digits. */
    public static String number(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e9 ? Long.toString((long) v) : String.format(Locale.ROOT, "%.3g", v);
    }

    static String f(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.4f", v) : "—";
    }

    private static String ms(long nanos) {
        return String.format(Locale.ROOT, "%.1f", nanos / 1e6);
    }

    private static String mb(long bytes) {
        return String.format(Locale.ROOT, "%.2f", bytes / 1e6);
    }
}
