package io.moescope.viz.view;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javafx.beans.value.ObservableValue;
import org.controlsfx.control.PropertySheet;

/** config.json as read-only property-sheet rows; nested objects (rope_parameters) are flattened as a.b. */
final class ConfigItems {
    private ConfigItems() {}

    static List<PropertySheet.Item> of(JsonNode config) {
        List<PropertySheet.Item> out = new ArrayList<>();
        add(out, "", config);
        return out;
    }

    private static void add(List<PropertySheet.Item> out, String prefix, JsonNode node) {
        node.properties().forEach(e -> {
            if (e.getValue().isObject()) add(out, prefix + e.getKey() + ".", e.getValue());
            else out.add(new Item(prefix + e.getKey(), e.getValue().isTextual() ? e.getValue().asText() : e.getValue().toString()));
        });
    }

    private record Item(String name, String value) implements PropertySheet.Item {
        @Override
        public Class<?> getType() {
            return String.class;
        }

        @Override
        public String getCategory() {
            return "config.json";
        }

        @Override
        public String getName() {
            return name;
        }

        @Override
        public String getDescription() {
            return name + " = " + value;
        }

        @Override
        public Object getValue() {
            return value;
        }

        @Override
        public void setValue(Object value) {
            // read-only: the sheet shows the checkpoint's configuration, it does not edit it
        }

        @Override
        public Optional<ObservableValue<?>> getObservableValue() {
            return Optional.empty();
        }

        @Override
        public boolean isEditable() {
            return false;
        }
    }
}
