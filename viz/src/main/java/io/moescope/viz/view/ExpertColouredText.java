package io.moescope.viz.view;

import io.moescope.analysis.Analysis;
import io.moescope.analysis.LayerRouting;
import io.moescope.report.heatmap.Palette;
import io.moescope.viz.state.Selection;
import io.moescope.viz.widget.ChipFlow;
import javafx.scene.Node;
import javafx.scene.control.ScrollPane;
import javafx.scene.paint.Color;

/** The prompt as it was tokenised, each token on the colour of its top-1 expert in one layer. */
final class ExpertColouredText {
    private static final Color[] COLOURS = new Color[Palette.EXPERTS.length];

    static {
        for (int i = 0; i < COLOURS.length; i++) COLOURS[i] = Color.web(Palette.css(Palette.EXPERTS[i]));
    }

    private final ChipFlow chips = new ChipFlow();
    private final ScrollPane scroll = new ScrollPane(chips);

    ExpertColouredText(Selection sel) {
        scroll.setFitToWidth(true);
        scroll.setHbarPolicy(ScrollPane.ScrollBarPolicy.NEVER);
        scroll.setPrefViewportHeight(80);
        chips.setId("expert-text");
        chips.setOnChipClicked(sel.token::set);
    }

    Node node() {
        return scroll;
    }

    ChipFlow chips() {
        return chips;
    }

    void setPresenter(boolean on) {
        chips.setFontSize(on ? 20 : 13);
    }

    void show(Analysis a, LayerRouting r) {
        chips.setChips(a.tokens(), t -> COLOURS[Math.floorMod(r.top1(t), COLOURS.length)],
                t -> COLOURS[Math.floorMod(r.top1(t), COLOURS.length)], t -> TokenLabels.routing(a, r, t));
    }

    void highlight(int token) {
        chips.select(token);
    }
}
