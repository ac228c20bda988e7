package io.moescope.viz.lab;

import io.moescope.report.export.ReportContent;
import java.util.List;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;

/** A report table on screen: the same rows the report prints, in a TableView. */
final class StringTable {
    private StringTable() {}

    static TableView<List<String>> create(String id) {
        TableView<List<String>> t = new TableView<>();
        t.setId(id);
        t.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_ALL_COLUMNS);
        t.setPlaceholder(new javafx.scene.control.Label("nothing run yet"));
        return t;
    }

    static void show(TableView<List<String>> view, ReportContent.Table table) {
        view.getColumns().clear();
        for (int c = 0; c < table.header().size(); c++) {
            int col = c;
            TableColumn<List<String>, String> column = new TableColumn<>(table.header().get(c));
            column.setCellValueFactory(r -> new ReadOnlyStringWrapper(col < r.getValue().size() ? r.getValue().get(col) : ""));
            column.setSortable(false);
            view.getColumns().add(column);
        }
        view.getItems().setAll(table.rows());
    }
}
