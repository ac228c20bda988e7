package io.moescope.viz.view;

import io.moescope.analysis.RunProfile;
import io.moescope.report.chart.ProfileChart;
import io.moescope.report.profile.ProfileRow;
import io.moescope.report.profile.ProfileText;
import io.moescope.viz.state.WorkbenchState;
import io.moescope.viz.widget.ChartPane;
import java.util.List;
import javafx.geometry.Insets;
import javafx.scene.Node;
import javafx.scene.control.Label;
import javafx.scene.control.SplitPane;
import javafx.scene.layout.BorderPane;

/**
 * Where the latest analysis spent its time: per operation of the backend its calls, total and mean
 * milliseconds, share of the time and megabytes moved, slowest first, as a table and as bars, under a
 * line with the backend, the device, the totals and the bytes copied between host and device. The
 * profile arrives with the analysis (the controller measures it on the compute thread); this only
 * shows it.
 */
public final class ProfileView extends LazyView {
    private final WorkbenchState state;
    private final BorderPane root = new BorderPane();
    private final Label summary = new Label();
    private final ProfileTable table = new ProfileTable();
    private final ChartPane bars = Charts.viewer();
    private boolean presenter;

    public ProfileView(WorkbenchState state) {
        this.state = state;
        summary.setId("profile-summary");
        summary.setWrapText(true);
        summary.setPadding(new Insets(6));
        SplitPane main = new SplitPane(table.node(), bars);
        main.setDividerPositions(0.5);
        root.setTop(summary);
        root.setCenter(main);
        state.profile.addListener((o, a, b) -> whenShown(this::refreshAll));
    }

    @Override
    public String id() {
        return "profile";
    }

    @Override
    public String title() {
        return "Profile";
    }

    @Override
    public Node node() {
        return root;
    }

    @Override
    public boolean hasData() {
        return !table.node().getItems().isEmpty();
    }

    @Override
    public List<NamedChart> charts() {
        return Charts.named("profile", bars);
    }

    @Override
    public void setPresenter(boolean on) {
        presenter = on;
        whenShown(this::refreshAll);
    }

    @Override
    protected void refreshAll() {
        RunProfile p = state.profile.get();
        if (p == null) {
            summary.setText("");
            table.show(List.of());
            Charts.clear(bars);
            return;
        }
        List<ProfileRow> rows = ProfileRow.of(p.profile());
        summary.setText(ProfileText.summary(p));
        table.show(rows);
        Charts.show(bars, ProfileChart.of(rows), presenter);
    }

    public String summaryText() {
        return summary.getText();
    }

    /** The table's rows as shown, for tests. */
    public List<ProfileRow> rows() {
        return List.copyOf(table.node().getItems());
    }
}
