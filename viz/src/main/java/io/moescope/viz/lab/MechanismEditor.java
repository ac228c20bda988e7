package io.moescope.viz.lab;

import io.moescope.backend.AttentionPattern;
import io.moescope.lab.Mechanism;
import io.moescope.lab.NumberFormat;
import io.moescope.lab.Precision;
import io.moescope.lab.RoutingChange;
import io.moescope.report.lab.LabJson;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.Spinner;
import javafx.scene.control.SpinnerValueFactory;
import javafx.scene.control.TextField;
import javafx.scene.control.TitledPane;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;

/**
 * The form of the compare mode: every switch of the mechanism lab, each starting at "the model's
 * own". It only builds a {@link Mechanism}; running it is the controller's job.
 */
public final class MechanismEditor {
    static final String OWN = "model's own";

    private final ComboBox<String> rule = new ComboBox<>();
    final Spinner<Integer> k = intSpinner(0, 64, 0);
    private final Spinner<Double> noise = doubleSpinner(0, 10, 0, 0.1);
    private final Spinner<Integer> seed = intSpinner(0, Integer.MAX_VALUE, 0);
    private final Spinner<Double> temperature = doubleSpinner(0.05, 10, 1, 0.05);
    private final TextField bias = field("e.g. 0.1,0,-0.1,…", 120);
    private final Spinner<Integer> groups = intSpinner(1, 64, 1);
    private final Spinner<Integer> keptGroups = intSpinner(1, 64, 1);
    private final Spinner<Double> capacity = doubleSpinner(0, 16, 0, 0.25);
    private final TextField disabled = field("e.g. 0,3", 70);
    private final TextField forced = field("token:expert, e.g. 3:1", 120);
    private final Spinner<Integer> biasSteps = intSpinner(0, 100_000, 0);
    private final Spinner<Double> biasRate = doubleSpinner(0, 1, 0.001, 0.001);

    private final Spinner<Integer> window = intSpinner(0, 1 << 16, 0);
    private final Spinner<Integer> stride = intSpinner(1, 1 << 16, 1);
    private final Spinner<Integer> keepTopK = intSpinner(0, 1 << 16, 0);
    private final CheckBox globalFirst = new CheckBox("first token");
    private final CheckBox globalPunctuation = new CheckBox("punctuation");
    private final TextField globalTokens = field("positions, e.g. 0,5", 90);

    private final ComboBox<NumberFormat> weights = new ComboBox<>();
    private final ComboBox<NumberFormat> activations = new ComboBox<>();

    private final VBox root;

    /**
     * @param forceSelected adds the selected token (chip) to the forced list, to the expert given
     */
    public MechanismEditor(Runnable forceSelected, Runnable globalSelected) {
        rule.getItems().add(OWN);
        for (RoutingChange.Rule r : RoutingChange.Rule.values()) rule.getItems().add(ruleName(r));
        rule.setValue(OWN);
        rule.setId("lab-rule");
        k.setId("lab-k");
        window.setId("lab-window");
        keepTopK.setId("lab-keep-top-k");
        capacity.setId("lab-capacity");
        weights.getItems().addAll(NumberFormat.values());
        activations.getItems().addAll(NumberFormat.values());
        weights.setValue(NumberFormat.FP32);
        activations.setValue(NumberFormat.FP32);
        weights.setId("lab-weights");
        Button force = new Button("+ selected token");
        force.setOnAction(e -> forceSelected.run());
        Button global = new Button("+ selected token");
        global.setOnAction(e -> globalSelected.run());

        FlowPane routing = flow(
                labelled("rule", rule), labelled("k (0: model's)", k), labelled("noise σ", noise), labelled("seed", seed),
                labelled("Gumbel τ", temperature), labelled("sigmoid bias", bias), labelled("groups", groups),
                labelled("kept groups", keptGroups), labelled("capacity factor (0: none)", capacity),
                labelled("disabled experts", disabled), labelled("forced", new HBox(4, forced, force)),
                labelled("bias-adjustment steps", biasSteps), labelled("rate", biasRate));
        FlowPane attention = flow(labelled("window (0: none)", window), labelled("stride", stride),
                labelled("keep top-k keys (0: all)", keepTopK),
                labelled("global", new HBox(6, globalFirst, globalPunctuation, globalTokens, global)));
        FlowPane precision = flow(labelled("weights", weights), labelled("activations", activations));
        TitledPane r = new TitledPane("Routing", routing), a = new TitledPane("Attention", attention), p = new TitledPane("Precision", precision);
        for (TitledPane t : List.of(r, a, p)) t.setAnimated(false);
        root = new VBox(2, r, a, p);
    }

    public Node node() {
        return root;
    }

    /** Sets k (0 for the model's own); for tests and the demo comparison. */
    public void setK(int value) {
        k.getValueFactory().setValue(value);
    }

    public void setWindow(int value) {
        window.getValueFactory().setValue(value);
    }

    /** Adds "token:expert" to the forced list. */
    public void addForced(int token, int expert) {
        String s = forced.getText().strip();
        forced.setText((s.isEmpty() ? "" : s + ",") + token + ":" + expert);
    }

    public void addGlobal(int token) {
        String s = globalTokens.getText().strip();
        globalTokens.setText((s.isEmpty() ? "" : s + ",") + token);
    }

    /**
     * The mechanism the form describes, for a prompt of these tokens (global tokens are positions).
     *
     * @throws IllegalArgumentException naming the field that is wrong
     */
    public Mechanism mechanism(List<String> tokens) {
        RoutingChange.Rule r = OWN.equals(rule.getValue()) ? null : RoutingChange.Rule.values()[rule.getItems().indexOf(rule.getValue()) - 1];
        RoutingChange rc = RoutingChange.NONE.withRule(r).withK(k.getValue())
                .withNoise(noise.getValue(), seed.getValue()).withTemperature(temperature.getValue(), seed.getValue())
                .withBias(floats("sigmoid bias", bias.getText()))
                .withGroups(groups.getValue(), keptGroups.getValue()).withCapacity(capacity.getValue())
                .withDisabled(new LinkedHashSet<>(ints("disabled experts", disabled.getText())))
                .withForced(pairs(forced.getText(), tokens.size()))
                .withBiasAdjustment(biasSteps.getValue(), biasRate.getValue());
        if (r == null && rc.equals(RoutingChange.NONE.withNoise(noise.getValue(), seed.getValue()).withTemperature(temperature.getValue(), seed.getValue()))) {
            rc = RoutingChange.NONE;   // noise and temperature alone change nothing without their rule
        }
        AttentionPattern att = attention(tokens);
        Precision prec = new Precision(weights.getValue(), activations.getValue());
        Mechanism m = new Mechanism("variant", rc, att, prec);
        return m.withLabel(LabJson.label(m));
    }

    private AttentionPattern attention(List<String> tokens) {
        boolean[] global = new boolean[tokens.size()];
        boolean any = false;
        for (int t = 0; t < tokens.size(); t++) {
            if ((globalFirst.isSelected() && t == 0) || (globalPunctuation.isSelected() && isPunctuation(tokens.get(t)))) {
                global[t] = true;
                any = true;
            }
        }
        for (int t : ints("global tokens", globalTokens.getText())) {
            if (t >= tokens.size()) throw new IllegalArgumentException("global tokens: position " + t + " is beyond the prompt's " + tokens.size() + " tokens");
            global[t] = true;
            any = true;
        }
        int w = window.getValue(), s = stride.getValue(), top = keepTopK.getValue();
        if (w == 0 && top == 0 && !any) return null;
        try {
            return new AttentionPattern(w, w == 0 ? 1 : s, any ? global : null, top);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("attention: " + e.getMessage());
        }
    }

    /** A token of only punctuation (and spaces), such as "." or " ,". */
    static boolean isPunctuation(String token) {
        String s = token.strip().replace("Ġ", "").replace("▁", "");
        return !s.isEmpty() && s.codePoints().allMatch(c -> Character.getType(c) >= Character.DASH_PUNCTUATION
                && Character.getType(c) <= Character.OTHER_PUNCTUATION || c == '.' || c == ',' || c == ';' || c == ':' || c == '!' || c == '?');
    }

    static String ruleName(RoutingChange.Rule r) {
        return r.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    static List<Integer> ints(String what, String text) {
        List<Integer> out = new ArrayList<>();
        if (text == null || text.isBlank()) return out;
        for (String s : text.split(",")) {
            try {
                int v = Integer.parseInt(s.strip());
                if (v < 0) throw new NumberFormatException();
                out.add(v);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(what + ": '" + s.strip() + "' is not a non-negative whole number");
            }
        }
        return out;
    }

    static float[] floats(String what, String text) {
        if (text == null || text.isBlank()) return null;
        String[] parts = text.split(",");
        float[] out = new float[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                out[i] = Float.parseFloat(parts[i].strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(what + ": '" + parts[i].strip() + "' is not a number");
            }
        }
        return out;
    }

    static Map<Integer, Integer> pairs(String text, int tokens) {
        Map<Integer, Integer> out = new LinkedHashMap<>();
        if (text == null || text.isBlank()) return out;
        for (String s : text.split(",")) {
            String[] tv = s.strip().split(":");
            if (tv.length != 2) throw new IllegalArgumentException("forced: '" + s.strip() + "' is not token:expert");
            List<Integer> both = ints("forced", tv[0] + "," + tv[1]);
            if (both.get(0) >= tokens) throw new IllegalArgumentException("forced: token " + both.get(0) + " is beyond the prompt's " + tokens + " tokens");
            out.put(both.get(0), both.get(1));
        }
        return out;
    }

    private static FlowPane flow(Node... children) {
        FlowPane f = new FlowPane(12, 4, children);
        f.setPadding(new Insets(4));
        return f;
    }

    private static HBox labelled(String label, Node control) {
        HBox h = new HBox(4, new Label(label), control);
        h.setAlignment(Pos.CENTER_LEFT);
        return h;
    }

    private static TextField field(String prompt, double width) {
        TextField t = new TextField();
        t.setPromptText(prompt);
        t.setPrefWidth(width);
        return t;
    }

    private static Spinner<Integer> intSpinner(int min, int max, int value) {
        Spinner<Integer> s = new Spinner<>(min, max, value);
        s.setEditable(true);
        s.setPrefWidth(80);
        return s;
    }

    private static Spinner<Double> doubleSpinner(double min, double max, double value, double step) {
        Spinner<Double> s = new Spinner<>();
        SpinnerValueFactory.DoubleSpinnerValueFactory f = new SpinnerValueFactory.DoubleSpinnerValueFactory(min, max, value, step);
        // the default converter shows two decimals, so a rate of 0.001 would read, and commit, as 0
        f.setConverter(new javafx.util.StringConverter<>() {
            @Override
            public String toString(Double v) {
                return v == null ? "" : java.math.BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
            }

            @Override
            public Double fromString(String s) {
                try {
                    return Double.valueOf(s.strip());
                } catch (NumberFormatException e) {
                    return f.getValue();   // keep the last good value rather than throw on the FX thread
                }
            }
        });
        s.setValueFactory(f);
        s.setEditable(true);
        s.setPrefWidth(80);
        return s;
    }
}
