package io.moescope.app;

import io.moescope.viz.bench.UiBenchmark;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "bench-ui",
        description = {"Measure the workbench: full analysis of a 256-token prompt, redrawing a 2048 x 2048",
                "attention heatmap, and the longest stall of the FX thread while analyses run. Prints figures.",
                "Without a display (or GTK 3) the window renders off screen, through JavaFX's headless platform."},
        footer = {"", "Example:", "  moescope bench-ui --model sample-models/NAME"})
final class BenchUiCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--model", paramLabel = "DIR", description = "Model folder (default: the first sample model).")
    Path model;

    @Option(names = "--runs", paramLabel = "N", defaultValue = "20", description = "Timed repetitions of each measurement (default: ${DEFAULT-VALUE}).")
    int runs;

    @Override
    public Integer call() throws Exception {
        Path dir = model != null ? ModelFolder.require(model)
                : GuiCommand.defaultModel().orElseThrow(() -> new UserError("no --model and no folder in sample-models/"));
        if (runs < 1) throw new IllegalArgumentException("--runs must be at least 1");
        if (!Desktop.windowPossible()) {
            spec.commandLine().getErr().println("bench-ui: no display or no GTK 3 here: the window renders off screen"
                    + " (JavaFX's headless platform, software pipeline), so its frames are never presented");
            Desktop.renderOffScreen();
        }
        UiBenchmark.run(dir, runs, spec.commandLine().getOut());
        return 0;
    }
}
