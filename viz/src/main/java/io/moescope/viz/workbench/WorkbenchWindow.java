package io.moescope.viz.workbench;

import io.moescope.analysis.Analysis;
import io.moescope.backend.Backends;
import io.moescope.viz.lab.CompareView;
import io.moescope.viz.lab.SweepView;
import io.moescope.viz.session.Session;
import io.moescope.viz.session.SessionFiles;
import io.moescope.viz.view.AnalysisView;
import io.moescope.viz.view.AttentionView;
import io.moescope.viz.view.ExpertLoadView;
import io.moescope.viz.view.GradientView;
import io.moescope.viz.view.ModelView;
import io.moescope.viz.view.ProfileView;
import io.moescope.viz.view.RoutingView;
import io.moescope.viz.view.TrainingView;
import io.moescope.viz.widget.ChartPane;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javafx.application.Platform;
import javafx.beans.value.ChangeListener;
import javafx.beans.value.ObservableValue;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Parent;
import javafx.scene.control.Button;
import javafx.scene.control.CheckMenuItem;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.Menu;
import javafx.scene.control.MenuBar;
import javafx.scene.control.MenuItem;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.control.TextArea;
import javafx.scene.control.ToggleButton;
import javafx.scene.input.KeyCombination;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import javafx.stage.FileChooser;
import javafx.stage.Stage;

/**
 * The workbench window: menus, a tool bar (open, backend, presenter mode, token journey), the
 * prompt with its token chips, the views in tabs, and the status bar. Before a model is open the
 * centre offers ways to open one.
 */
public final class WorkbenchWindow {
    private final Stage stage;
    private final WorkbenchState state = new WorkbenchState();
    private final AnalysisController controller = new AnalysisController(state);
    private final WorkbenchActions actions = new WorkbenchActions(state, controller);
    private final ModelChooser chooser = new ModelChooser(controller::openModel);
    private final List<AnalysisView> views = new ArrayList<>();
    private final TabPane tabs = new TabPane();
    private final StackPane centre = new StackPane();
    private final BorderPane root = new BorderPane();
    private final TextArea prompt = new TextArea();
    private final ComboBox<String> backend = new ComboBox<>();
    private final GradientView gradientView;
    private final AttentionView attentionView;
    private final ExpertLoadView loadView;
    private final RoutingView routingView;
    private SessionAutosave autosave;
    private final CompareView compareView;
    private final SweepView sweepView;

    public WorkbenchWindow(Stage stage) {
        this.stage = stage;
        attentionView = new AttentionView(state);
        loadView = new ExpertLoadView(state, f -> controller.analyseFile(f, 256));
        gradientView = new GradientView(state, controller::analyseGradients);
        views.add(attentionView);
        views.add(loadView);
        routingView = new RoutingView(state);
        views.add(routingView);
        views.add(gradientView);
        views.add(new ModelView(state, controller.executor()));
        views.add(new TrainingView(state, controller.executor()));
        compareView = new CompareView(state, controller::compare);
        sweepView = new SweepView(state, controller::sweep);
        views.add(compareView);
        views.add(sweepView);
        views.add(new ProfileView(state));
        for (AnalysisView v : views) {
            Tab t = new Tab(v.title(), v.node());
            t.setId("tab-" + v.id());
            t.setClosable(false);
            t.setUserData(v);
            tabs.getTabs().add(t);
        }
        tabs.getSelectionModel().selectedItemProperty().addListener((o, a, b) -> {
            for (Tab t : tabs.getTabs()) ((AnalysisView) t.getUserData()).setShowing(t == b);
            gradientsIfShown();
        });
        attentionView.setShowing(true);   // the first tab
        state.analysis.addListener((o, a, b) -> gradientsIfShown());
        warmUpHiddenViewsAfterFirstAnalysis();

        centre.getChildren().add(WelcomePane.create(() -> chooser.choose(stage), controller::openModel));
        state.model.addListener((o, a, b) -> centre.getChildren().setAll(b == null
                ? WelcomePane.create(() -> chooser.choose(stage), controller::openModel) : tabs));
        state.modelDir.addListener((o, a, b) -> stage.setTitle("MoEScope — " + (b == null ? "no model" : b.getFileName())));
        stage.setTitle("MoEScope — no model");

        root.setTop(new VBox(menus(), toolbar(), promptBox()));
        root.setCenter(centre);
        root.setBottom(new StatusBar(state, controller).node());
        chooser.acceptDrops(root);
        new Notifier(state, stage);
        state.presenter.addListener((o, a, b) -> presenter(b));
        // boxes drawn as plain rectangles: cheap for a software renderer (see the file)
        root.getStylesheets().add(WorkbenchWindow.class.getResource("/io/moescope/viz/flat-boxes.css").toExternalForm());
    }

    public Parent root() {
        return root;
    }

    public WorkbenchState state() {
        return state;
    }

    public AnalysisController controller() {
        return controller;
    }

    public WorkbenchActions actions() {
        return actions;
    }

    public List<AnalysisView> views() {
        return List.copyOf(views);
    }

    /** The view with that id (one of {@link #ids()}). */
    public AnalysisView view(String id) {
        for (AnalysisView v : views) if (v.id().equals(id)) return v;
        throw new IllegalArgumentException("no view '" + id + "' (choose one of " + String.join(", ", ids()) + ")");
    }

    public static List<String> ids() {
        return List.of("attention", "load", "routing", "gradients", "model", "training", "compare", "sweep", "profile");
    }

    public void showView(String id) {
        AnalysisView v = view(id);
        for (Tab t : tabs.getTabs()) if (t.getUserData() == v) tabs.getSelectionModel().select(t);
    }

    public AnalysisView currentView() {
        return (AnalysisView) tabs.getSelectionModel().getSelectedItem().getUserData();
    }

    public CompareView compareView() {
        return compareView;
    }

    public SweepView sweepView() {
        return sweepView;
    }

    /**
     * For the headless screenshot of the lab's tabs: once the prompt is analysed, runs a comparison
     * with one expert per token (compare) or a sweep of k over the prompt (sweep).
     */
    public void runLabDemo(String view) {
        if (!view.equals("compare") && !view.equals("sweep")) return;
        // Every new analysis (the first may be superseded by a second) runs it, until a result has arrived.
        javafx.beans.value.ChangeListener<io.moescope.analysis.Analysis> demo = (o, a, b) -> {
            if (b == null || compareView.hasData() && view.equals("compare") || sweepView.hasData() && view.equals("sweep")) return;
            if (view.equals("compare")) {
                compareView.editor().setK(1);
                controller.compare(compareView.editor().mechanism(b.tokens()));
            } else {
                controller.sweep(io.moescope.lab.SweepKind.TOPK, List.of(), null, 128);
            }
        };
        state.analysis.addListener(demo);
    }

    /** Sets the prompt and opens the model; the analysis follows once it is loaded. */
    public void open(Path model, String text) {
        state.prompt.set(text);
        if (model != null) controller.openModel(model);
    }

    /**
     * The first analysis is also drawn, hidden, by the views whose first showing is heaviest (the
     * load table's cells, routing's charts and token chips), in the same FX task as the opening's
     * own drawing: the window is opening then anyway, and showing those tabs later costs a redraw
     * instead of 35-65 ms of building and styling controls with the JIT still cold (and 100 ms
     * more of styling in the next pulse).
     */
    private void warmUpHiddenViewsAfterFirstAnalysis() {
        whenNextAnalysis(() -> {
            for (AnalysisView v : List.of(loadView, routingView)) v.warmUp();
            // their styling and layout too, now, rather than in a pulse that may fall after the opening
            tabs.applyCss();
            tabs.layout();
        });
    }

    /** Runs once, when the next analysis (not a clearing to null) arrives. */
    private void whenNextAnalysis(Runnable then) {
        state.analysis.addListener(new ChangeListener<>() {
            @Override
            public void changed(ObservableValue<? extends Analysis> o, Analysis a, Analysis b) {
                if (b == null) return;
                state.analysis.removeListener(this);
                then.run();
            }
        });
    }

    private void gradientsIfShown() {
        if (currentView() == gradientView && state.analysis.get() != null && state.gradients.get() == null) {
            controller.analyseGradients(gradientView.lr());
        }
    }

    private MenuBar menus() {
        MenuItem open = new MenuItem("Open model folder…");
        open.setAccelerator(KeyCombination.keyCombination("Shortcut+O"));
        open.setOnAction(e -> chooser.choose(stage));
        MenuItem openSession = new MenuItem("Open session…");
        openSession.setOnAction(e -> chooseSession(false));
        MenuItem saveSession = new MenuItem("Save session…");
        saveSession.setAccelerator(KeyCombination.keyCombination("Shortcut+S"));
        saveSession.setOnAction(e -> chooseSession(true));
        MenuItem png = new MenuItem("Export view as PNG (2x)…");
        png.setOnAction(e -> actions.choosePng(stage, currentView()));
        MenuItem svg = new MenuItem("Export view's charts as SVG…");
        svg.setOnAction(e -> actions.chooseSvg(stage, currentView()));
        MenuItem html = new MenuItem("Export report (HTML)…");
        html.setOnAction(e -> actions.chooseReport(stage, false));
        MenuItem pdf = new MenuItem("Export report (PDF)…");
        pdf.setOnAction(e -> actions.chooseReport(stage, true));
        MenuItem quit = new MenuItem("Quit");
        quit.setAccelerator(KeyCombination.keyCombination("Shortcut+Q"));
        quit.setOnAction(e -> stage.close());
        Menu file = new Menu("File", null, open, chooser.recentMenu(), chooser.sampleMenu(), ModelChooser.separator(),
                openSession, saveSession, ModelChooser.separator(), png, svg, html, pdf, ModelChooser.separator(), quit);

        CheckMenuItem presenter = new CheckMenuItem("Presenter mode (larger type)");
        presenter.setAccelerator(KeyCombination.keyCombination("F5"));
        presenter.selectedProperty().bindBidirectional(state.presenter);
        MenuItem journey = new MenuItem("Token journey…");
        journey.setAccelerator(KeyCombination.keyCombination("Shortcut+J"));
        journey.setOnAction(e -> showJourney());
        return new MenuBar(file, new Menu("View", null, presenter, journey));
    }

    private HBox toolbar() {
        Button open = new Button("Open model…");
        open.setOnAction(e -> chooser.choose(stage));
        ChartPane.warmUp();
        backend.getItems().add("java");
        listBackendsInBackground();
        backend.setValue(state.backend.get());
        backend.setId("backend");
        backend.valueProperty().addListener((o, a, b) -> {
            if (b == null || b.equals(state.backend.get())) return;
            state.backend.set(b);
            if (state.modelDir.get() != null) controller.openModel(state.modelDir.get());
        });
        state.backend.addListener((o, a, b) -> backend.setValue(b));
        ToggleButton presenter = new ToggleButton("Presenter");
        presenter.selectedProperty().bindBidirectional(state.presenter);
        Button journey = new Button("Token journey");
        journey.setOnAction(e -> showJourney());
        HBox bar = new HBox(8, open, new Label("Backend"), backend, presenter, journey);
        bar.setAlignment(Pos.CENTER_LEFT);
        bar.setPadding(new Insets(4, 8, 4, 8));
        return bar;
    }

    /**
     * Adds the GPU backends that open to the selector once the drivers have been asked: asking
     * OpenCL and CUDA for their devices takes tens of ms (seconds with some drivers), which the
     * window's first frame should not wait for.
     */
    private void listBackendsInBackground() {
        Thread t = new Thread(() -> {
            List<String> available = new ArrayList<>();
            for (Backends.Listing l : Backends.devices()) if (l.available()) available.add(l.backend());
            Platform.runLater(() -> {
                for (String b : available) if (!backend.getItems().contains(b)) backend.getItems().add(b);
            });
        }, "moescope-list-backends");
        t.setDaemon(true);
        t.start();
    }

    private VBox promptBox() {
        prompt.setPrefRowCount(2);
        prompt.setWrapText(true);
        prompt.setId("prompt");
        prompt.setPromptText("Type a prompt; the views follow as you type.");
        prompt.textProperty().bindBidirectional(state.prompt);
        Button analyse = new Button("Analyse");
        analyse.setOnAction(e -> controller.analyseNow());
        HBox row = new HBox(6, prompt, analyse);
        HBox.setHgrow(prompt, Priority.ALWAYS);
        VBox box = new VBox(4, row, new TokenStrip(state).node());
        box.setPadding(new Insets(4, 8, 6, 8));
        return box;
    }

    private void presenter(boolean on) {
        root.setStyle(on ? "-fx-font-size: 17px;" : "");
        for (AnalysisView v : views) v.setPresenter(on);
    }

    private void showJourney() {
        if (state.analysis.get() == null) {
            state.message.set("analyse a prompt first");
            return;
        }
        JourneyDialog.show(stage, state);
    }

    // ---- sessions --------------------------------------------------------------------------------

    public Session session() {
        Selection s = state.selection;
        return new Session(Session.VERSION, state.modelDir.get() == null ? null : state.modelDir.get().toAbsolutePath().toString(),
                state.backend.get(), state.prompt.get(), s.token.get(), s.layer.get(), s.head.get(), s.expert.get(),
                currentView().id(), attentionView.isLogScale(), loadView.capacityFactor(), state.presenter.get());
    }

    /** Restores everything; the model is reloaded (on the session's backend) if it differs from the open one. */
    public void restore(Session s) {
        if (s.backend() != null && backend.getItems().contains(s.backend())) {
            state.backend.set(s.backend());
        } else if (s.backend() != null && !s.backend().equals(state.backend.get())) {
            // Saved on another machine, or its driver went away: run where we can rather than not at all.
            state.notices.add(Notice.warning("Backend not available", "the session's backend " + s.backend()
                    + " cannot run here; using " + state.backend.get()));
        }
        state.presenter.set(s.presenter());
        attentionView.setLogScale(s.logScale());
        loadView.setCapacityFactor(s.capacityFactor());
        if (s.view() != null && ids().contains(s.view())) showView(s.view());
        Path model = s.model() == null ? null : Path.of(s.model());
        state.prompt.set(s.prompt() == null ? "" : s.prompt());
        Runnable selections = () -> {
            state.selection.layer.set(s.layer());
            state.selection.head.set(s.head());
            state.selection.expert.set(s.expert());
            state.selection.token.set(s.token());
        };
        if (model != null && !model.equals(state.modelDir.get())) {
            // the selections apply to the analysis of the reloaded model, once it arrives
            whenNextAnalysis(selections);
            controller.openModel(model);
        } else {
            selections.run();
            controller.analyseNow();
        }
    }

    private void chooseSession(boolean save) {
        FileChooser fc = new FileChooser();
        fc.setTitle(save ? "Save session" : "Open session");
        fc.getExtensionFilters().add(new FileChooser.ExtensionFilter("MoEScope session", "*.json"));
        fc.setInitialFileName("session.json");
        File f = save ? fc.showSaveDialog(stage) : fc.showOpenDialog(stage);
        if (f == null) return;
        try {
            if (save) {
                SessionFiles.write(session(), f.toPath());
                state.message.set("session saved to " + f);
            } else {
                restore(SessionFiles.read(f.toPath()));
            }
        } catch (IOException | RuntimeException e) {
            state.fail(save ? "Session not saved" : "Session not opened", e);
        }
    }

    /**
     * A bug that escapes an event handler on the FX thread becomes a notification (with the stack
     * in its details) rather than a trace on the console and a window that silently stopped doing
     * something. Call on the FX thread.
     */
    public void notifyUncaughtFailures() {
        Thread fx = Thread.currentThread();
        Thread.UncaughtExceptionHandler previous = fx.getUncaughtExceptionHandler();
        boolean[] inside = {false};
        fx.setUncaughtExceptionHandler((t, e) -> {
            if (inside[0]) {   // notifying failed too: leave it to the default, once
                previous.uncaughtException(t, e);
                return;
            }
            inside[0] = true;
            try {
                state.fail("Unexpected error", e);
            } catch (RuntimeException again) {
                previous.uncaughtException(t, e);
            } finally {
                inside[0] = false;
            }
        });
    }

    // ---- autosave -------------------------------------------------------------------------------

    /** The file the workbench autosaves to unless told otherwise (-Dmoescope.autosave). */
    public static Path defaultAutosaveFile() {
        return SessionAutosave.defaultFile();
    }

    /** From now on, saves the session to this file a moment after each change, and on close. */
    public void autosaveTo(Path file) {
        if (autosave != null) autosave.close();
        autosave = new SessionAutosave(file, this::session, e -> state.fail("Autosave failed", e));
        Selection sel = state.selection;
        autosave.watch(state.prompt, state.modelDir, state.backend, state.presenter, sel.token, sel.layer, sel.head, sel.expert,
                tabs.getSelectionModel().selectedItemProperty());
    }

    /**
     * Starts from the session autosaved in {@code file}, as after a crash: with its model if that
     * folder still exists, else (or if it had none) with {@code fallbackModel} and the session's prompt. Tells the user
     * either way. A file that cannot be read is set aside (as FILE.corrupt, for a look), notified,
     * and the window opens {@code fallbackModel} with {@code fallbackText} as on a fresh start.
     *
     * @return true when a session was restored
     */
    public boolean restoreAutosave(Path file, Path fallbackModel, String fallbackText) {
        if (!java.nio.file.Files.exists(file)) {
            open(fallbackModel, fallbackText);
            return false;
        }
        Session s;
        try {
            s = SessionFiles.read(file);
        } catch (IOException | RuntimeException e) {
            String aside = setAside(file);
            state.notices.add(new Notice(Notice.Level.ERROR, "Autosaved session not restored",
                    file + " could not be read (" + Notice.oneLine(e) + "); starting afresh" + aside, Notice.details(e)));
            open(fallbackModel, fallbackText);
            return false;
        }
        String note = "from " + file;
        boolean missing = s.model() != null && !java.nio.file.Files.isDirectory(Path.of(s.model()));
        if (missing) {
            note += "; its model folder " + s.model() + " no longer exists"
                    + (fallbackModel == null ? "" : ", so " + fallbackModel.getFileName() + " is open instead");
        }
        if (missing || s.model() == null) {   // as a fresh start would, but with the session's prompt
            s = new Session(s.version(), fallbackModel == null ? null : fallbackModel.toAbsolutePath().toString(), s.backend(),
                    s.prompt(), s.token(), s.layer(), s.head(), s.expert(), s.view(), s.logScale(), s.capacityFactor(), s.presenter());
        }
        restore(s);
        state.notices.add(Notice.info("Session restored", note));
        return true;
    }

    /** Moves an unreadable autosave out of the way of the next save; returns a note saying where, or "". */
    private static String setAside(Path file) {
        Path aside = file.resolveSibling(file.getFileName() + ".corrupt");
        try {
            java.nio.file.Files.move(file, aside, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            return " (kept as " + aside.getFileName() + ")";
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    public void close() {
        if (autosave != null) autosave.close();
        controller.close();
    }
}
