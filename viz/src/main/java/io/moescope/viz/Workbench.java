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
     * JavaFX warns on every start that it runs from the class path ("Unsupported JavaFX
     * configuration"); that is our deliberate setup, so only its severe messages are let through.
     * Held in a field because java.util.logging keeps loggers only weakly.
     */
    private static final Logger JAVAFX_LOG = Logger.getLogger("javafx");

    /**
     * @param model      model folder to show, or null for none
     * @param screenshot if not null, render the window to this PNG and close it again
     */
    public static void open(Path model, Path screenshot) {
        List<String> args = new ArrayList<>();
        if (model != null) args.add("--" + WorkbenchApp.MODEL + "=" + model.toAbsolutePath());
        if (screenshot != null) args.add("--" + WorkbenchApp.SCREENSHOT + "=" + screenshot.toAbsolutePath());
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
