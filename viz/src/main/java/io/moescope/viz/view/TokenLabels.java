package io.moescope.viz.view;

import io.moescope.analysis.Analysis;
import java.util.ArrayList;
import java.util.List;

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
}
