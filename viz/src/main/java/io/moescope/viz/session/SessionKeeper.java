package io.moescope.viz.session;

import io.moescope.viz.state.Notice;
import io.moescope.viz.state.Selection;
import io.moescope.viz.state.WorkbenchState;
import io.moescope.viz.view.AttentionView;
import io.moescope.viz.view.ExpertLoadView;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import javafx.beans.Observable;
import javafx.stage.FileChooser;
import javafx.stage.Stage;

/**
 * The window's session: taking it (model, backend, prompt, selections, the tab shown and the views'
 * settings), restoring it, the File menu's Save and Open, the autosave, and the start from an
 * autosave after a crash. FX thread throughout.
 */
public final class SessionKeeper {
    /** What a session reads from and restores into the window, beyond its state and views. */
    public interface Window {
        /** The id of the tab shown. */
        String shownView();

        /** Shows the tab with that id, one of {@link #viewIds()}. */
        void showView(String id);

        List<String> viewIds();

        /** Changes whenever another tab is shown. */
        Observable shownViewChanges();

        /** Whether the backend selector offers this backend. */
        boolean offers(String backend);

        /** Sets the prompt and opens the model (if not null); the analysis follows once it is loaded. */
        void open(Path model, String text);

        /** Analyses the prompt now, on the model that is open. */
        void analyseNow();
    }

    private final WorkbenchState state;
    private final AttentionView attention;
    private final ExpertLoadView load;
    private final Window window;
    private SessionAutosave autosave;

    public SessionKeeper(WorkbenchState state, AttentionView attention, ExpertLoadView load, Window window) {
        this.state = state;
        this.attention = attention;
        this.load = load;
        this.window = window;
    }

    public Session session() {
        Selection s = state.selection;
        return new Session(Session.VERSION, state.modelDir.get() == null ? null : state.modelDir.get().toAbsolutePath().toString(),
                state.backend.get(), state.prompt.get(), s.token.get(), s.layer.get(), s.head.get(), s.expert.get(),
                window.shownView(), attention.isLogScale(), load.capacityFactor(), state.presenter.get());
    }

    /** Restores everything; the model is reloaded (on the session's backend) if it differs from the open one. */
    public void restore(Session s) {
        if (s.backend() != null && window.offers(s.backend())) {
            state.backend.set(s.backend());
        } else if (s.backend() != null && !s.backend().equals(state.backend.get())) {
            // Saved on another machine, or its driver went away: run where we can rather than not at all.
            state.notices.add(Notice.warning("Backend not available", "the session's backend " + s.backend()
                    + " cannot run here; using " + state.backend.get()));
        }
        state.presenter.set(s.presenter());
        attention.setLogScale(s.logScale());
        load.setCapacityFactor(s.capacityFactor());
        if (s.view() != null && window.viewIds().contains(s.view())) window.showView(s.view());
        Path model = s.model() == null ? null : Path.of(s.model());
        String prompt = s.prompt() == null ? "" : s.prompt();
        Runnable selections = () -> {
            state.selection.layer.set(s.layer());
            state.selection.head.set(s.head());
            state.selection.expert.set(s.expert());
            state.selection.token.set(s.token());
        };
        if (model != null && !model.equals(state.modelDir.get())) {
            // the selections apply to the analysis of the reloaded model, once it arrives
            state.whenNextAnalysis(selections);
            window.open(model, prompt);
        } else {
            state.prompt.set(prompt);
            selections.run();
            window.analyseNow();
        }
    }

    /** The File menu's "Save session…" (save) or "Open session…": asks for the file, then writes or restores it. */
    public void choose(Stage stage, boolean save) {
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
                window.shownViewChanges());
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
        if (!Files.exists(file)) {
            window.open(fallbackModel, fallbackText);
            return false;
        }
        Session s;
        try {
            s = SessionFiles.read(file);
        } catch (IOException | RuntimeException e) {
            String aside = setAside(file);
            state.notices.add(new Notice(Notice.Level.ERROR, "Autosaved session not restored",
                    file + " could not be read (" + Notice.oneLine(e) + "); starting afresh" + aside, Notice.details(e)));
            window.open(fallbackModel, fallbackText);
            return false;
        }
        String note = "from " + file;
        boolean missing = s.model() != null && !Files.isDirectory(Path.of(s.model()));
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
            Files.move(file, aside, StandardCopyOption.REPLACE_EXISTING);
            return " (kept as " + aside.getFileName() + ")";
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    /** The last autosave, waited for (the window is closing). */
    public void close() {
        if (autosave != null) autosave.close();
    }
}
