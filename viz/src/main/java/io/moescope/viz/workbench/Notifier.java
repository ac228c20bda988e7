package io.moescope.viz.workbench;

import io.moescope.viz.state.Notice;
import io.moescope.viz.state.WorkbenchState;
import javafx.collections.ListChangeListener;
import javafx.scene.control.Alert;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Label;
import javafx.scene.control.TextArea;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.stage.Window;
import javafx.util.Duration;
import org.controlsfx.control.Notifications;
import org.controlsfx.control.action.Action;

/**
 * Shows each {@link Notice} added to the window's state as a ControlsFX notification in the window's
 * corner, and in the status bar. Errors carry a "Details…" action that opens a pane with the full
 * text; the notification, not a dialog, is what the user sees first, so nothing blocks the window.
 */
final class Notifier {
    /** Errors and warnings stay up longer: they are read, then acted on. */
    private static final Duration SHORT = Duration.seconds(6), LONG = Duration.seconds(15);

    /** The same title again this soon is only shown in the status bar: typing past the prompt limit refuses every keystroke. */
    private static final long REPEAT_NANOS = 5_000_000_000L;

    private final WorkbenchState state;
    private final Window owner;
    private final java.util.Map<String, Long> lastShown = new java.util.HashMap<>();
    /** Once the window starts closing, notices go to the status bar only: a popup opened then outlives its owner. */
    private boolean closed;

    Notifier(WorkbenchState state, Window owner) {
        this.state = state;
        this.owner = owner;
        state.notices.addListener((ListChangeListener<Notice>) c -> {
            while (c.next()) if (c.wasAdded()) c.getAddedSubList().forEach(this::show);
        });
    }

    private void show(Notice n) {
        state.message.set(n.title() + ": " + n.text());
        if (closed || !owner.isShowing()) return;   // closing, or not yet shown: the status bar and the list keep it
        long now = System.nanoTime();
        Long last = lastShown.put(n.title(), now);
        if (last != null && now - last < REPEAT_NANOS) return;
        Notifications note = Notifications.create().title(n.title()).text(n.text()).owner(owner)
                .hideAfter(n.level() == Notice.Level.INFO ? SHORT : LONG);
        if (n.details() != null) note.action(new Action("Details…", e -> details(n)));
        try {
            switch (n.level()) {
                case INFO -> note.showInformation();
                case WARNING -> note.showWarning();
                case ERROR -> note.showError();
            }
        } catch (IllegalStateException closing) {
            // "The view has already been closed": the window went away between the check and the popup.
        }
    }

    /**
     * Before the window closes (and the toolkit exits): no more popups, and the ones up are hidden,
     * since a notification popup still open while GTK closes its owner crashed the JVM (issue 17).
     */
    void close() {
        closed = true;
        for (Window w : java.util.List.copyOf(Window.getWindows())) {
            if (w instanceof javafx.stage.PopupWindow p && p.getOwnerWindow() == owner) p.hide();
        }
    }

    /** The details pane: the message, then the full text (causes and stack) to read or copy. */
    void details(Notice n) {
        Alert a = new Alert(n.level() == Notice.Level.ERROR ? Alert.AlertType.ERROR : Alert.AlertType.INFORMATION, "", ButtonType.CLOSE);
        a.initOwner(owner);
        a.setTitle(n.title());
        a.setHeaderText(n.title());
        Label text = new Label(n.text());
        text.setWrapText(true);
        TextArea full = new TextArea(n.details());
        full.setEditable(false);
        full.setId("notice-details");
        full.setPrefRowCount(16);
        VBox.setVgrow(full, Priority.ALWAYS);
        a.getDialogPane().setContent(new VBox(8, text, full));
        a.getDialogPane().setPrefWidth(760);
        a.show();   // not showAndWait: the window stays live behind it
    }
}
