package io.moescope.viz;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import javafx.application.Application;

/**
 * Opens the workbench and blocks until it closes. Not itself an Application, because JavaFX on the
 * class path refuses a main class that extends Application.
 */
public final class Workbench {
    private Workbench() {}

    /**
     * What to open.
     *
     * @param model      model folder, or null for none
     * @param text       prompt, or null for the demo prompt
     * @param view       tab to show (attention, load, routing, gradients, model), or null
     * @param screenshot if not null, render the window (once the view has data) to this PNG and close it
     * @param session    a saved session to restore, or null
     * @param restore    start from the autosaved session, if there is one (a start with no arguments);
     *                   {@code model} and {@code text} are then only what to open without one
     */
    public record Options(Path model, String text, String view, Path screenshot, Path session, boolean restore) {
        public Options(Path model, String text, String view, Path screenshot, Path session) {
            this(model, text, view, screenshot, session, false);
        }
    }

    /**
     * JavaFX warns on every start that it runs from the class path ("Unsupported JavaFX
     * configuration"); that is our deliberate setup, so only its severe messages are let through.
     * Held in a field because java.util.logging keeps loggers only weakly.
     */
    private static final Logger JAVAFX_LOG = Logger.getLogger("javafx");

    public static void open(Path model, Path screenshot) {
        open(new Options(model, null, null, screenshot, null));
    }

    public static void open(Options o) {
        List<String> args = new ArrayList<>();
        if (o.model() != null) args.add("--" + WorkbenchApp.MODEL + "=" + o.model().toAbsolutePath());
        if (o.text() != null) args.add("--" + WorkbenchApp.TEXT + "=" + o.text());
        if (o.view() != null) args.add("--" + WorkbenchApp.VIEW + "=" + o.view());
        if (o.screenshot() != null) args.add("--" + WorkbenchApp.SCREENSHOT + "=" + o.screenshot().toAbsolutePath());
        if (o.session() != null) args.add("--" + WorkbenchApp.SESSION + "=" + o.session().toAbsolutePath());
        if (o.restore()) args.add("--" + WorkbenchApp.RESTORE + "=true");
        JAVAFX_LOG.setLevel(Level.SEVERE);
        WorkbenchApp.failure.set(null);
        Application.launch(WorkbenchApp.class, args.toArray(String[]::new));
        Throwable t = WorkbenchApp.failure.getAndSet(null);
        if (t instanceof RuntimeException r) throw r;
        if (t instanceof IOException io) throw new UncheckedIOException(io.getMessage(), io);
        if (t instanceof Error err) throw err;
        if (t != null) throw new IllegalStateException(t);
    }
}
