package io.moescope.viz.workbench;

import io.moescope.backend.Backends;
import io.moescope.viz.session.Session;
import io.moescope.viz.session.SessionFiles;
import io.moescope.viz.view.AnalysisView;
import io.moescope.viz.view.AttentionView;
import io.moescope.viz.view.ExpertLoadView;
import io.moescope.viz.view.GradientView;
import io.moescope.viz.view.ModelView;
import io.moescope.viz.view.RoutingView;
import io.moescope.viz.view.TrainingView;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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

    public WorkbenchWindow(Stage stage) {
        this.stage = stage;
        attentionView = new AttentionView(state);
        loadView = new ExpertLoadView(state, f -> controller.analyseFile(f, 256));
        gradientView = new GradientView(state, controller::analyseGradients);
        views.add(attentionView);
        views.add(loadView);
        views.add(new RoutingView(state));
        views.add(gradientView);
        views.add(new ModelView(state, controller.executor()));
        views.add(new TrainingView(state, controller.executor()));
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

        centre.getChildren().add(WelcomePane.create(() -> chooser.choose(stage), controller::openModel));
        state.model.addListener((o, a, b) -> centre.getChildren().setAll(b == null
                ? WelcomePane.create(() -> chooser.choose(stage), controller::openModel) : tabs));
        state.modelDir.addListener((o, a, b) -> stage.setTitle("MoEScope — " + (b == null ? "no model" : b.getFileName())));
        stage.setTitle("MoEScope — no model");

        root.setTop(new VBox(menus(), toolbar(), promptBox()));
        root.setCenter(centre);
        root.setBottom(new StatusBar(state, controller).node());
        chooser.acceptDrops(root);
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

    /** The view with that id (attention, load, routing, gradients, model). */
    public AnalysisView view(String id) {
        for (AnalysisView v : views) if (v.id().equals(id)) return v;
        throw new IllegalArgumentException("no view '" + id + "' (choose one of " + String.join(", ", ids()) + ")");
    }

    public static List<String> ids() {
        return List.of("attention", "load", "routing", "gradients", "model", "training");
    }

    public void showView(String id) {
        AnalysisView v = view(id);
        for (Tab t : tabs.getTabs()) if (t.getUserData() == v) tabs.getSelectionModel().select(t);
    }

    public AnalysisView currentView() {
        return (AnalysisView) tabs.getSelectionModel().getSelectedItem().getUserData();
    }

    /** Sets the prompt and opens the model; the analysis follows once it is loaded. */
    public void open(Path model, String text) {
        state.prompt.set(text);
        if (model != null) controller.openModel(model);
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
        for (Backends.Listing l : Backends.devices()) if (l.available()) backend.getItems().add(l.backend());
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
        if (s.backend() != null) state.backend.set(s.backend());
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
            state.analysis.addListener(new javafx.beans.value.ChangeListener<>() {
                @Override
                public void changed(javafx.beans.value.ObservableValue<? extends io.moescope.analysis.Analysis> o,
                                    io.moescope.analysis.Analysis a, io.moescope.analysis.Analysis b) {
                    if (b == null) return;
                    state.analysis.removeListener(this);
                    selections.run();
                }
            });
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
            state.message.set("session " + (save ? "not saved" : "not opened") + ": " + AnalysisController.oneLine(e));
        }
    }

    public void close() {
        controller.close();
    }
}
