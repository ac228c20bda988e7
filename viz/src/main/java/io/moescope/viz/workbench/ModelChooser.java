package io.moescope.viz.workbench;

import io.moescope.hub.HubCache;
import io.moescope.viz.session.RecentModels;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import javafx.application.Platform;
import javafx.scene.Node;
import javafx.scene.control.Menu;
import javafx.scene.control.MenuItem;
import javafx.scene.control.SeparatorMenuItem;
import javafx.scene.input.DragEvent;
import javafx.scene.input.TransferMode;
import javafx.stage.DirectoryChooser;
import javafx.stage.Window;

/**
 * The ways to open a model: a folder chooser, the recent and sample model menus, the models in the
 * local Hugging Face cache, and dropping a folder on the window.
 */
final class ModelChooser {
    private final Consumer<Path> open;

    ModelChooser(Consumer<Path> open) {
        this.open = open;
    }

    void choose(Window owner) {
        DirectoryChooser dc = new DirectoryChooser();
        dc.setTitle("Open an HF model folder (config.json + *.safetensors)");
        List<Path> recent = RecentModels.list();
        if (!recent.isEmpty() && recent.getFirst().getParent() != null && Files.isDirectory(recent.getFirst().getParent())) {
            dc.setInitialDirectory(recent.getFirst().getParent().toFile());
        }
        File f = dc.showDialog(owner);
        if (f != null) open.accept(f.toPath());
    }

    /** Rebuilt each time it is shown, so it lists what exists now. */
    Menu recentMenu() {
        Menu m = new Menu("Recent models");
        m.setOnShowing(e -> fill(m, RecentModels.list(), "none yet"));
        fill(m, RecentModels.list(), "none yet");
        return m;
    }

    Menu sampleMenu() {
        Menu m = new Menu("Sample models");
        fill(m, SampleModels.list(), "none in " + SampleModels.dir());
        return m;
    }

    /**
     * The MoE models in the local Hugging Face cache, with architecture and size; listed off the FX
     * thread (it reads each cached config.json) each time the menu opens.
     */
    Menu cachedMenu() {
        Menu m = new Menu("Hugging Face cache");
        MenuItem listing = new MenuItem("listing…");
        listing.setDisable(true);
        m.getItems().setAll(listing);
        m.setOnShowing(e -> listCached(m.getItems()));
        return m;
    }

    /** Fills items with the cached models (for a menu or the toolbar's Open model… button). */
    void listCached(javafx.collections.ObservableList<MenuItem> items) {
        HubCache hub = HubCache.fromEnvironment();
        Thread t = new Thread(() -> {
            List<HubCache.CachedModel> models = hub.models();
            Platform.runLater(() -> {
                items.clear();
                for (HubCache.CachedModel c : models) {
                    MenuItem item = new MenuItem(String.format(Locale.ROOT, "%s   %s · %.1f GB", c.repoId(),
                            c.architecture().modelType(), c.bytes() / 1e9));
                    item.setMnemonicParsing(false);
                    item.setOnAction(e -> open.accept(c.snapshot()));
                    items.add(item);
                }
                if (models.isEmpty()) {
                    MenuItem none = new MenuItem("no MoE models in " + hub.root());
                    none.setDisable(true);
                    items.add(none);
                }
            });
        }, "moescope-list-hub-cache");
        t.setDaemon(true);
        t.start();
    }

    private void fill(Menu m, List<Path> dirs, String empty) {
        m.getItems().clear();
        for (Path p : dirs) {
            MenuItem item = new MenuItem(p.getFileName() + "   " + p.getParent());
            item.setMnemonicParsing(false);
            item.setOnAction(e -> open.accept(p));
            m.getItems().add(item);
        }
        if (dirs.isEmpty()) {
            MenuItem none = new MenuItem(empty);
            none.setDisable(true);
            m.getItems().add(none);
        }
    }

    static SeparatorMenuItem separator() {
        return new SeparatorMenuItem();
    }

    /** Accepts a dropped folder (or a file inside one, such as config.json) as the model to open. */
    void acceptDrops(Node target) {
        target.setOnDragOver(e -> {
            if (e.getDragboard().hasFiles()) e.acceptTransferModes(TransferMode.COPY_OR_MOVE);
            e.consume();
        });
        target.setOnDragDropped(this::dropped);
    }

    private void dropped(DragEvent e) {
        boolean done = false;
        if (e.getDragboard().hasFiles() && !e.getDragboard().getFiles().isEmpty()) {
            Path p = e.getDragboard().getFiles().getFirst().toPath();
            open.accept(Files.isDirectory(p) ? p : p.getParent());
            done = true;
        }
        e.setDropCompleted(done);
        e.consume();
    }
}
