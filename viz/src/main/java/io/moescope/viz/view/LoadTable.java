package io.moescope.viz.view;

import io.moescope.analysis.BatchAnalysis;
import io.moescope.analysis.ExpertLoad;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javafx.scene.control.TableView;

/** One row of balance figures per MoE layer. */
final class LoadTable {
    record Row(String layer, String cv, String maxMean, String aux, String dropped, String busiest) {}

    private final TableView<Row> table = new TableView<>();

    LoadTable() {
        table.getColumns().add(TextColumns.unsortable("MoE layer", Row::layer));
        table.getColumns().add(TextColumns.unsortable("coeff. of variation", Row::cv));
        table.getColumns().add(TextColumns.unsortable("max / mean", Row::maxMean));
        table.getColumns().add(TextColumns.unsortable("aux loss", Row::aux));
        table.getColumns().add(TextColumns.unsortable("dropped", Row::dropped));
        table.getColumns().add(TextColumns.unsortable("busiest expert", Row::busiest));
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        table.setId("load-table");
    }

    TableView<Row> node() {
        return table;
    }

    void show(ExpertLoad load, double capacityFactor, BatchAnalysis batch) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < load.moeLayers(); i++) {
            int busiest = 0;
            for (int e = 1; e < load.experts(); e++) if (load.counts()[i][e] > load.counts()[i][busiest]) busiest = e;
            long dropped = 0;
            if (batch != null) for (ExpertLoad c : batch.chunkLoads()) dropped += c.dropped(i, capacityFactor);
            else dropped = load.dropped(i, capacityFactor);
            rows.add(new Row(Integer.toString(load.layers()[i]), f(load.coefficientOfVariation(i)), f(load.maxOverMean(i)),
                    f(load.auxLossPerLayer()[i]), Long.toString(dropped), "E" + busiest + " (" + load.counts()[i][busiest] + ")"));
        }
        table.getItems().setAll(rows);
    }

    void select(int row) {
        if (row < 0) table.getSelectionModel().clearSelection();
        else table.getSelectionModel().select(row);
    }

    private static String f(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }
}
