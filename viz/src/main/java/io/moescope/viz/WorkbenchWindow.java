package io.moescope.viz;

import javafx.geometry.Insets;
import javafx.scene.Parent;
import javafx.scene.control.Label;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.VBox;
import javafx.scene.text.Font;
import javafx.scene.text.FontWeight;

/** The workbench's content. For now a model header; the analysis views will fill the centre. */
public final class WorkbenchWindow {
    private WorkbenchWindow() {}

    public static Parent content(ModelHeadline model) {
        Label app = new Label("MoEScope");
        app.setFont(Font.font(null, FontWeight.BOLD, 22));
        Label title = new Label(model.title());
        title.setFont(Font.font(null, FontWeight.SEMI_BOLD, 16));
        VBox header = new VBox(6, app, title);
        for (String line : model.lines()) header.getChildren().add(new Label(line));
        header.setPadding(new Insets(16));
        header.setStyle("-fx-background-color: #e8eef7; -fx-border-color: #b8c4d6; -fx-border-width: 0 0 1 0;");

        Label placeholder = new Label("Attention, expert routing and load, and gradient flow views come here.");
        placeholder.setStyle("-fx-text-fill: #667085;");
        BorderPane root = new BorderPane(placeholder);
        root.setTop(header);
        root.setStyle("-fx-background-color: white;");
        return root;
    }
}
