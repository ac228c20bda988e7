package io.moescope.app;

import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;

/**
 * What the workbench needs from the machine, checked before JavaFX starts: JavaFX's own failures
 * here are stack traces from deep in its toolkit. A window on screen needs a display and GTK 3; a
 * window rendered off screen (screenshots, and the UI benchmark without a display) needs neither.
 */
final class Desktop {
    private Desktop() {}

    /** The library JavaFX's GTK glass loads; a property so that tests can name one that is missing. */
    static final String GTK_PROPERTY = "moescope.gtkLibrary";
    private static final String GTK = "libgtk-3.so.0";

    /** Refuses, in one line, a window that cannot open here. */
    static void requireWindow() {
        if (!linux()) return;
        if (!gtkPresent()) {
            throw new UserError("the workbench window needs GTK 3, which is not installed (Debian: apt-get install libgtk-3-0);"
                    + " every command except gui works without it");
        }
        if (!displayPresent()) {
            throw new UserError("no display: the workbench window needs X11 or Wayland"
                    + " (gui --screenshot FILE.png renders without one; every other command needs none)");
        }
    }

    /** True where a window could open on screen. */
    static boolean windowPossible() {
        return !linux() || gtkPresent() && displayPresent();
    }

    /**
     * Renders off screen through JavaFX's headless glass platform and software pipeline: no X
     * server, no GTK. Must run before the JavaFX toolkit starts.
     */
    static void renderOffScreen() {
        System.setProperty("glass.platform", "Headless");
        System.setProperty("prism.order", "sw");
        System.setProperty("java.awt.headless", "true");
    }

    private static boolean linux() {
        return System.getProperty("os.name", "").toLowerCase().contains("linux");
    }

    private static boolean displayPresent() {
        return !isBlank(System.getenv("DISPLAY")) || !isBlank(System.getenv("WAYLAND_DISPLAY"));
    }

    private static boolean gtkPresent() {
        try {
            SymbolLookup.libraryLookup(System.getProperty(GTK_PROPERTY, GTK), Arena.global());
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }
}
