package io.moescope.viz.workbench;

import io.moescope.analysis.Analysis;
import io.moescope.backend.select.Backends;
import io.moescope.viz.lab.CompareView;
import io.moescope.viz.lab.SweepView;
import io.moescope.viz.session.SessionKeeper;
import io.moescope.viz.state.WorkbenchState;
import io.moescope.viz.view.AnalysisView;
import io.moescope.viz.view.AttentionView;
import io.moescope.viz.view.ExpertLoadView;
import io.moescope.viz.view.GradientView;
import io.moescope.viz.view.ModelView;
import io.moescope.viz.view.ProfileView;
import io.moescope.viz.view.RoutingView;
import io.moescope.viz.view.TrainingView;
import io.moescope.viz.widget.ChartPane;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javafx.application.Platform;
import javafx.beans.Observable;
import javafx.beans.value.ChangeListener;
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
import javafx.scene.control.SplitMenuButton;
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
    private final Notifier notifier;
    private final AttentionView attentionView;
    private final ExpertLoadView loadView;
    private final RoutingView routingView;
    private final CompareView compareView;
    private final SweepView sweepView;
    private final SessionKeeper sessions;

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
        sessions = new SessionKeeper(state, attentionView, loadView, sessionWindow());

        centre.getChildren().add(WelcomePane.create(() -> chooser.choose(stage), controller::openModel));
        state.model.addListener((o, a, b) -> centre.getChildren().setAll(b == null
                ? WelcomePane.create(() -> chooser.choose(stage), controller::openModel) : tabs));
        state.modelDir.addListener((o, a, b) -> stage.setTitle("MoEScope — " + (b == null ? "no model" : b.getFileName())));
        stage.setTitle("MoEScope — no model");

        root.setTop(new VBox(menus(), toolbar(), promptBox()));
        root.setCenter(centre);
        root.setBottom(new StatusBar(state, controller).node());
        chooser.acceptDrops(root);
        notifier = new Notifier(state, stage);
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

    /** Session save, restore and autosave. */
    public SessionKeeper sessions() {
        return sessions;
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
        ChangeListener<Analysis> demo = (o, a, b) -> {
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
        state.whenNextAnalysis(() -> {
            for (AnalysisView v : List.of(loadView, routingView)) v.warmUp();
            // their styling and layout too, now, rather than in a pulse that may fall after the opening
            tabs.applyCss();
            tabs.layout();
        });
    }

    private SessionKeeper.Window sessionWindow() {
        return new SessionKeeper.Window() {
            @Override
            public String shownView() {
                return currentView().id();
            }

            @Override
            public void showView(String id) {
                WorkbenchWindow.this.showView(id);
            }

            @Override
            public List<String> viewIds() {
                return ids();
            }

            @Override
            public Observable shownViewChanges() {
                return tabs.getSelectionModel().selectedItemProperty();
            }

            @Override
            public boolean offers(String name) {
                return backend.getItems().contains(name);
            }

            @Override
            public void open(Path model, String text) {
                WorkbenchWindow.this.open(model, text);
            }

            @Override
            public void analyseNow() {
                controller.analyseNow();
            }
        };
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
        openSession.setOnAction(e -> sessions.choose(stage, false));
        MenuItem saveSession = new MenuItem("Save session…");
        saveSession.setAccelerator(KeyCombination.keyCombination("Shortcut+S"));
        saveSession.setOnAction(e -> sessions.choose(stage, true));
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
        Menu file = new Menu("File", null, open, chooser.recentMenu(), chooser.sampleMenu(), chooser.cachedMenu(), ModelChooser.separator(),
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
        // Click: a folder; its arrow: the MoE models in the Hugging Face cache.
        SplitMenuButton open = new SplitMenuButton();
        open.setText("Open model…");
        open.setOnAction(e -> chooser.choose(stage));
        open.setOnShowing(e -> chooser.listCached(open.getItems()));
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

    /** No more notification popups, and none left up: for a window about to close (a headless screenshot's exit). */
    public void quietNotifications() {
        notifier.close();
    }

    public void close() {
        quietNotifications();
        sessions.close();
        controller.close();
    }
}
