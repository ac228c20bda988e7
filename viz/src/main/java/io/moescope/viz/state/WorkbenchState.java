package io.moescope.viz.state;

import io.moescope.analysis.Analysis;
import io.moescope.analysis.BatchAnalysis;
import io.moescope.analysis.LoadedModel;
import io.moescope.analysis.RunProfile;
import io.moescope.grad.GradientFlowReport;
import io.moescope.lab.Comparison;
import io.moescope.lab.SweepResult;
import java.nio.file.Path;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.beans.value.ChangeListener;
import javafx.beans.value.ObservableValue;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/** Everything the window shows, as observable properties; changed only on the FX thread. */
public final class WorkbenchState {
    public final ObjectProperty<Path> modelDir = new SimpleObjectProperty<>(this, "modelDir");
    public final ObjectProperty<LoadedModel> model = new SimpleObjectProperty<>(this, "model");
    public final ObjectProperty<Analysis> analysis = new SimpleObjectProperty<>(this, "analysis");
    /** What the current analysis cost per operation; set with it, null until one has run. */
    public final ObjectProperty<RunProfile> profile = new SimpleObjectProperty<>(this, "profile");
    public final ObjectProperty<BatchAnalysis> batch = new SimpleObjectProperty<>(this, "batch");
    /** Gradient flow of the current analysis' prompt; null until the gradient view asks for it. */
    public final ObjectProperty<GradientFlowReport> gradients = new SimpleObjectProperty<>(this, "gradients");
    /** The mechanism lab's last comparison on the current prompt; null until one is run. */
    public final ObjectProperty<Comparison> comparison = new SimpleObjectProperty<>(this, "comparison");
    /** The mechanism lab's last sweep; null until one is run. */
    public final ObjectProperty<SweepResult> sweep = new SimpleObjectProperty<>(this, "sweep");
    public final StringProperty prompt = new SimpleStringProperty(this, "prompt", "");
    public final StringProperty backend = new SimpleStringProperty(this, "backend", "java");
    /** The backend the model really runs on: differs from {@link #backend} after a fallback to the CPU; "" with no model. */
    public final StringProperty activeBackend = new SimpleStringProperty(this, "activeBackend", "");
    /** One line for the status bar: the last thing that happened, or went wrong. */
    public final StringProperty message = new SimpleStringProperty(this, "message", "");
    public final BooleanProperty presenter = new SimpleBooleanProperty(this, "presenter", false);
    public final Selection selection = new Selection();
    /** Everything the user was notified of, oldest first; add to notify (the workbench's notifier shows them). */
    public final ObservableList<Notice> notices = FXCollections.observableArrayList();

    /** Runs once, when the next analysis (not a clearing to null) arrives. */
    public void whenNextAnalysis(Runnable then) {
        analysis.addListener(new ChangeListener<>() {
            @Override
            public void changed(ObservableValue<? extends Analysis> o, Analysis a, Analysis b) {
                if (b == null) return;
                analysis.removeListener(this);
                then.run();
            }
        });
    }

    /** Notifies the user of a failure (FX thread); the window stays as it was. */
    public void fail(String title, Throwable cause) {
        notices.add(Notice.error(title, cause));
    }
}
