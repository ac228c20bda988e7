package io.moescope.viz.workbench;

import io.moescope.analysis.Analysis;
import io.moescope.viz.state.WorkbenchState;
import io.moescope.viz.widget.ChipFlow;
import java.util.List;
import javafx.scene.Node;
import javafx.scene.control.ScrollPane;
import javafx.scene.paint.Color;

/** The prompt as token chips; hover shows position, id and text, a click selects the token everywhere. */
public final class TokenStrip {
    private static final Color FILL = Color.web("#eef2f8"), BORDER = Color.web("#b8c4d6");
    private final ChipFlow chips = new ChipFlow();
    private final ScrollPane scroll = new ScrollPane(chips);

    public TokenStrip(WorkbenchState state) {
        chips.setId("token-strip");
        scroll.setFitToWidth(true);
        scroll.setHbarPolicy(ScrollPane.ScrollBarPolicy.NEVER);
        scroll.setPrefViewportHeight(48);
        chips.setOnChipClicked(state.selection.token::set);
        state.analysis.addListener((o, a, b) -> show(b, state.selection.token.get()));
        state.selection.token.addListener((o, a, b) -> chips.select(b.intValue()));
        state.presenter.addListener((o, a, b) -> chips.setFontSize(b ? 18 : 12));
    }

    public Node node() {
        return scroll;
    }

    public ChipFlow chips() {
        return chips;
    }

    private void show(Analysis a, int selected) {
        if (a == null) {
            chips.setChips(List.of(), i -> FILL, i -> BORDER, i -> "");
            return;
        }
        chips.setChips(a.tokens(), i -> FILL, i -> BORDER,
                t -> "position " + t + " · id " + a.ids()[t] + " · '" + a.tokens().get(t) + "'");
        chips.select(selected);
    }
}
