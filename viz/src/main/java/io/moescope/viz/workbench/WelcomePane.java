package io.moescope.viz.workbench;

import io.moescope.viz.session.RecentModels;
import java.nio.file.Path;
import java.util.function.Consumer;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.Hyperlink;
import javafx.scene.control.Label;
import javafx.scene.layout.VBox;
import javafx.scene.text.Font;
import javafx.scene.text.FontWeight;

/** What the window shows before a model is open: how to open one, the sample and recent models. */
final class WelcomePane {
    private WelcomePane() {}

    static Node create(Runnable choose, Consumer<Path> open) {
        Label title = new Label("No model loaded");
        title.setFont(Font.font(null, FontWeight.BOLD, 20));
        title.setId("welcome-title");
        Button openButton = new Button("Open model folder…");
        openButton.setDefaultButton(true);
        openButton.setOnAction(e -> choose.run());
        VBox box = new VBox(10, title, new Label("An HF model folder: config.json, *.safetensors and (optionally) tokenizer.json."),
                openButton, new Label("…or drop a model folder onto this window."));
        links(box, "Sample models", SampleModels.list(), open);
        links(box, "Recent models", RecentModels.list(), open);
        box.setAlignment(Pos.CENTER);
        box.setPadding(new Insets(40));
        return box;
    }

    private static void links(VBox box, String title, java.util.List<Path> dirs, Consumer<Path> open) {
        if (dirs.isEmpty()) return;
        Label l = new Label(title);
        l.setFont(Font.font(null, FontWeight.SEMI_BOLD, 14));
        box.getChildren().add(l);
        for (Path p : dirs) {
            Hyperlink link = new Hyperlink(p.getFileName() + " (" + p.getParent() + ")");
            link.setOnAction(e -> open.accept(p));
            box.getChildren().add(link);
        }
    }
}
