package io.moescope.viz.view;

import java.util.function.Function;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.scene.control.TableColumn;

/** Columns of the views' tables: a text made from each row, kept in the order the view gives the rows. */
final class TextColumns {
    private TextColumns() {}

    static <R> TableColumn<R, String> unsortable(String title, Function<R, String> text) {
        TableColumn<R, String> c = new TableColumn<>(title);
        c.setCellValueFactory(f -> new ReadOnlyStringWrapper(text.apply(f.getValue())));
        c.setSortable(false);
        return c;
    }
}
