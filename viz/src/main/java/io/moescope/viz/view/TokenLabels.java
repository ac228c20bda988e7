package io.moescope.viz.view;

import io.moescope.analysis.Analysis;
import io.moescope.analysis.LayerRouting;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Axis labels and tooltip names for tokens: position and text, so repeated words stay apart. */
final class TokenLabels {
    private TokenLabels() {}

    static List<String> of(Analysis a) {
        List<String> out = new ArrayList<>(a.tokenCount());
        for (int t = 0; t < a.tokenCount(); t++) out.add(t + " " + a.tokens().get(t));
        return out;
    }

    static String quoted(Analysis a, int t) {
        return t + " '" + a.tokens().get(t) + "'";
    }

    /** A token's routing in one layer, for its tooltip: the chosen experts with their weights, and the router's entropy. */
    static String routing(Analysis a, LayerRouting r, int t) {
        StringBuilder s = new StringBuilder("token " + quoted(a, t) + ", layer " + r.layer() + ": ");
        for (int j = 0; j < r.k(); j++) {
            if (j > 0) s.append(", ");
            s.append(String.format(Locale.ROOT, "E%d (%.3f)", r.topkIndex()[t * r.k() + j], r.topkWeight()[t * r.k() + j]));
        }
        return s.append(String.format(Locale.ROOT, "; router entropy %.3f", r.entropy()[t])).toString();
    }
}
