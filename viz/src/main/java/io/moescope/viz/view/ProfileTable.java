package io.moescope.viz.view;

import java.util.List;
import java.util.function.Function;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.scene.control.Label;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;

/** One row per operation, in the profile's order (longest total time first), numbers right-aligned. */
final class ProfileTable {
    private final TableView<ProfileRow> table = new TableView<>();

    ProfileTable() {
        table.getColumns().add(column("operation", ProfileRow::op));
        table.getColumns().add(number(column("calls", r -> Long.toString(r.calls()))));
        table.getColumns().add(number(column("total ms", r -> ProfileText.number(r.totalMs()))));
        table.getColumns().add(number(column("mean ms", r -> ProfileText.number(r.meanMs()))));
        table.getColumns().add(number(column("% of total", r -> ProfileText.percent(r.percent()))));
        table.getColumns().add(number(column("MB moved", r -> ProfileText.number(r.mb()))));
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        table.setPlaceholder(new Label("no analysis yet"));
        table.setId("profile-table");
    }

    private static TableColumn<ProfileRow, String> column(String title, Function<ProfileRow, String> value) {
        TableColumn<ProfileRow, String> c = new TableColumn<>(title);
        c.setCellValueFactory(f -> new ReadOnlyStringWrapper(value.apply(f.getValue())));
        // the order is the point: slowest first, as the profile sorts it
        c.setSortable(false);
        return c;
    }

    private static TableColumn<ProfileRow, String> number(TableColumn<ProfileRow, String> c) {
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
