package io.moescope.viz.view;

import java.util.List;
import javafx.scene.Node;
import org.jfree.chart.JFreeChart;

/**
 * One tab of the workbench. It draws the current analysis from the {@link io.moescope.viz.state.WorkbenchState}
 * it was built with and never computes a model; it highlights the shared selection.
 */
public interface AnalysisView {

    /** The name used on the command line (--view) and in sessions: attention, load, routing, gradients, model. */
    String id();

    String title();

    Node node();

    /** The charts this view shows now, with a file-name stem each, for SVG export. */
    default List<NamedChart> charts() {
        return List.of();
    }

    /** Told when its tab is shown or hidden: hidden views may postpone their drawing. */
    default void setShowing(boolean on) { }

    /**
     * Draws the current analysis while hidden, once, so that the first showing of the tab finds its
     * controls built (and, once styled and laid out, ready) instead of doing it all at once.
     */
    default void warmUp() { }

    /** Larger type for presenting; charts and labels follow. */
    default void setPresenter(boolean on) { }

    /** Something the view shows only when it has data, for tests and the headless screenshot. */
    boolean hasData();

    record NamedChart(String name, JFreeChart chart) {}
}
