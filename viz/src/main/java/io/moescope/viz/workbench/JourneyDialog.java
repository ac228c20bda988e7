package io.moescope.viz.workbench;

import io.moescope.analysis.Analysis;
import io.moescope.analysis.LoadedModel;
import io.moescope.analysis.TokenJourney;
import io.moescope.viz.state.WorkbenchState;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Scene;
import javafx.scene.control.Button;
import javafx.scene.control.ChoiceBox;
import javafx.scene.control.Label;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.scene.text.Font;
import javafx.scene.text.FontWeight;
import javafx.stage.Stage;
import javafx.stage.Window;

/**
 * A step-through of one token's journey for teaching: embedding, each layer's attention and
 * router choice, the output. Stepping onto a layer selects it (and the token) in the main window,
 * so the views show the same place the explanation talks about.
 */
final class JourneyDialog {
    private final WorkbenchState state;
    private final Stage stage = new Stage();
    private final ChoiceBox<String> token = new ChoiceBox<>();
    private final Label counter = new Label(), title = new Label(), explanation = new Label();
    private final VBox facts = new VBox(4);
    private TokenJourney journey;
    private int step;

    private JourneyDialog(Window owner, WorkbenchState state) {
        this.state = state;
        Analysis a = state.analysis.get();
        for (int t = 0; t < a.tokenCount(); t++) token.getItems().add(t + " " + a.tokens().get(t));
        int start = state.selection.token.get() >= 0 ? state.selection.token.get() : a.tokenCount() - 1;
        token.getSelectionModel().select(start);
        token.getSelectionModel().selectedIndexProperty().addListener((o, x, y) -> load(y.intValue()));
        Button prev = new Button("◀ Back"), next = new Button("Next ▶");
        prev.setOnAction(e -> go(step - 1));
        next.setOnAction(e -> go(step + 1));
        next.setDefaultButton(true);
        title.setFont(Font.font(null, FontWeight.BOLD, 18));
        explanation.setWrapText(true);
        explanation.setStyle("-fx-text-fill: #444;");
        Region grow = new Region();
        HBox.setHgrow(grow, Priority.ALWAYS);
        HBox top = new HBox(8, new Label("Token"), token, grow, counter);
        top.setAlignment(Pos.CENTER_LEFT);
        HBox nav = new HBox(8, prev, next);
        nav.setAlignment(Pos.CENTER_RIGHT);
        VBox root = new VBox(12, top, title, explanation, facts, nav);
        VBox.setVgrow(facts, Priority.ALWAYS);
        root.setPadding(new Insets(16));
        root.setPrefWidth(560);
        root.styleProperty().bind(javafx.beans.binding.Bindings.when(state.presenter).then("-fx-font-size: 18px;").otherwise(""));
        stage.initOwner(owner);
        stage.setTitle("Token journey");
        stage.setScene(new Scene(root, 600, 420));
        load(start);
    }

    static void show(Window owner, WorkbenchState state) {
        new JourneyDialog(owner, state).stage.show();
    }

    private void load(int t) {
        LoadedModel m = state.model.get();
        journey = TokenJourney.of(state.analysis.get(), t, m == null ? Integer::toString : m::tokenText);
        state.selection.token.set(t);
        go(0);
    }

    private void go(int i) {
        step = Math.max(0, Math.min(journey.steps().size() - 1, i));
        TokenJourney.Step s = journey.steps().get(step);
        counter.setText("step " + (step + 1) + " of " + journey.steps().size());
        title.setText(s.title());
        explanation.setText(s.explanation());
        facts.getChildren().clear();
        for (String f : s.facts()) {
            Label l = new Label("• " + f);
            l.setWrapText(true);
            facts.getChildren().add(l);
        }
        if (s.title().startsWith("Layer ")) {
            state.selection.layer.set(Integer.parseInt(s.title().substring(6, s.title().indexOf(':'))));
        }
    }
}
