package io.moescope.viz.view;

import io.moescope.backend.profile.Profile;
import io.moescope.report.profile.ProfileRow;
import java.util.List;
import javafx.scene.control.Label;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;

/** One row per operation, in the profile's order (longest total time first, not re-sortable), numbers right-aligned. */
final class ProfileTable {
    private final TableView<ProfileRow> table = new TableView<>();

    ProfileTable() {
        table.getColumns().add(TextColumns.unsortable("operation", ProfileRow::op));
        table.getColumns().add(rightAligned(TextColumns.unsortable("calls", r -> Long.toString(r.calls()))));
        table.getColumns().add(rightAligned(TextColumns.unsortable("total ms", r -> Profile.number(r.totalMs()))));
        table.getColumns().add(rightAligned(TextColumns.unsortable("mean ms", r -> Profile.number(r.meanMs()))));
        table.getColumns().add(rightAligned(TextColumns.unsortable("% of total", r -> Profile.percent(r.percent()))));
        table.getColumns().add(rightAligned(TextColumns.unsortable("MB moved", r -> Profile.number(r.mb()))));
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        table.setPlaceholder(new Label("no analysis yet"));
        table.setId("profile-table");
    }

    private static TableColumn<ProfileRow, String> rightAligned(TableColumn<ProfileRow, String> c) {
        c.setStyle("-fx-alignment: CENTER-RIGHT;");
        return c;
    }

    TableView<ProfileRow> node() {
        return table;
    }

    void show(List<ProfileRow> rows) {
        table.getItems().setAll(rows);
    }
}
