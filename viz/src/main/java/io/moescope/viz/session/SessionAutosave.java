package io.moescope.viz.session;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import javafx.animation.PauseTransition;
import javafx.application.Platform;
import javafx.beans.Observable;
import javafx.util.Duration;

/**
 * Keeps the window's session in one file, so that a crash or a kill loses nothing, the prompt least
 * of all: written (atomically) a moment after each change, and once more on close. The snapshot is
 * taken on the FX thread and written on a thread of its own, so typing never waits on the disk.
 */
final class SessionAutosave implements AutoCloseable {
    /** Where the autosave lives; tests point it at a temporary folder. */
    public static final String PROPERTY = "moescope.autosave";
    static final Duration DEBOUNCE = Duration.millis(800);

    private final Path file;
    private final Supplier<Session> snapshot;
    private final Consumer<Exception> failed;
    private final PauseTransition debounce = new PauseTransition(DEBOUNCE);
    private final ExecutorService writer = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "moescope-autosave");
        t.setDaemon(true);
        return t;
    });
    private boolean toldFailure;

    /**
     * @param snapshot the session as it is now (called on the FX thread)
     * @param failed   told of the first write that fails, on the FX thread; later ones are dropped,
     *                 since a full disk would otherwise notify on every key
     */
    SessionAutosave(Path file, Supplier<Session> snapshot, Consumer<Exception> failed) {
        this.file = file;
        this.snapshot = snapshot;
        this.failed = failed;
        debounce.setOnFinished(e -> saveSoon());
    }

    /** The file: -Dmoescope.autosave, else autosave-session.json in the settings folder (~/.moescope). */
    static Path defaultFile() {
        String p = System.getProperty(PROPERTY);
        return p != null && !p.isBlank() ? Path.of(p) : RecentModels.settingsDir().resolve("autosave-session.json");
    }

    Path file() {
        return file;
    }

    /** Saves after each change of any of these, once they have been still for a moment. */
    void watch(Observable... things) {
        for (Observable o : things) o.addListener(x -> debounce.playFromStart());
    }

    private void saveSoon() {
        Session s = snapshot.get();
        writer.execute(() -> write(s));
    }

    private void write(Session s) {
        try {
            SessionFiles.write(s, file);
        } catch (IOException | RuntimeException e) {
            Platform.runLater(() -> {
                if (toldFailure) return;
                toldFailure = true;
                failed.accept(e);
            });
        }
    }

    /** FX thread: the last save, waited for (the window is closing), after any still queued. */
    @Override
    public void close() {
        debounce.stop();
        Session s = snapshot.get();
        writer.execute(() -> write(s));
        writer.shutdown();
        try {
            writer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
