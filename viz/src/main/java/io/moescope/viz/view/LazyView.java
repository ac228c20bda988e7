package io.moescope.viz.view;

import javafx.application.Platform;

/**
 * A view that redraws only while it is on screen. A new analysis or selection reaches every view,
 * but only the visible one spends FX-thread time on it; the others catch up, once, when their tab
 * is shown. This keeps the FX thread free during analyses however many views there are.
 */
abstract class LazyView implements AnalysisView {
    private boolean showing;
    private boolean stale = true;

    @Override
    public final void setShowing(boolean on) {
        showing = on;
        if (on && stale) {
            stale = false;
            // A task of its own: the tab's first frame (styling and laying out its controls) and
            // this redraw would otherwise hold the FX thread in one piece, long enough to be felt.
            Platform.runLater(() -> {
                if (showing) refreshAll();
                else stale = true;
            });
        }
    }

    @Override
    public final void warmUp() {
        if (!showing && stale) {
            stale = false;
            refreshAll();
        }
    }

    /** Runs the update now if the view is on screen; otherwise the next showing refreshes everything. */
    protected final void whenShown(Runnable update) {
        if (showing) update.run();
        else stale = true;
    }

    /** Redraws everything from the current state. */
    protected abstract void refreshAll();
}
