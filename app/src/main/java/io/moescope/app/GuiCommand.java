package io.moescope.app;

import io.moescope.files.CheckpointException;
import io.moescope.viz.Workbench;
import io.moescope.viz.workbench.SampleModels;
import io.moescope.viz.workbench.WorkbenchWindow;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "gui",
        description = {"Open the workbench window (the default when no command is given).",
                "Without --model, the first folder in sample-models/ is loaded, if there is one,",
                "and the demo prompt is analysed. With no options at all, the session autosaved",
                "by the last run (~/.moescope/autosave-session.json) is restored instead."},
        footer = {"", "Examples:",
                "  moescope gui --model DIR --text \"In the beginning\"",
                "  moescope gui --model DIR --view routing --screenshot routing.png   (off screen: no display needed)"})
final class GuiCommand implements Callable<Integer> {

    @Option(names = "--model", paramLabel = "DIR|REPO", description = "HF model folder to load, or a repo id (org/name) in the local Hugging Face cache.")
    Path model;

    @Option(names = "--text", paramLabel = "TEXT", description = "Prompt to analyse (default: a demo sentence).")
    String text;

    @Option(names = "--view", paramLabel = "VIEW", description = "Tab to show: attention, load, routing, gradients, model, training, compare, sweep or profile "
            + "(with --screenshot, compare runs k=1 against the model and sweep runs k over the prompt first).")
    String view;

    @Option(names = "--session", paramLabel = "FILE.json", description = "Restore a saved session (model, prompt, selections, views).")
    Path session;

    @Option(names = "--screenshot", paramLabel = "FILE.png",
            description = "Render the window once the view shows its data, save it as a PNG and exit.")
    Path screenshot;

    @Override
    public Integer call() {
        Path dir = model != null ? ModelFolder.require(model) : session != null ? null : defaultModel().orElse(null);
        if (view != null && !WorkbenchWindow.ids().contains(view)) {
            throw new IllegalArgumentException("--view must be one of " + String.join(", ", WorkbenchWindow.ids()) + ", got '" + view + "'");
        }
        if (session != null) ModelFolder.requireFile(session);
        if (screenshot != null) ModelFolder.requireOutputFolder(screenshot);
        if (dir == null && screenshot != null) defaultModel().ifPresent(io.moescope.files.OutputGuard::protectFolder);
        if (screenshot != null) Desktop.renderOffScreen();   // the same picture with or without a display
        else Desktop.requireWindow();
        // Started bare (./moescope), the workbench picks up where the last one left off, crash or not.
        boolean restore = model == null && session == null && text == null && screenshot == null;
        // The window is the user's to work in for as long as it is open; only a headless screenshot is a run.
        if (screenshot == null) io.moescope.files.OutputGuard.end();
        Workbench.open(new Workbench.Options(dir, text, view, screenshot, session, restore));
        return 0;
    }

    /**
     * The first model folder in sample-models/ (one holding a config.json, so that its data and
     * configs folders are passed over); the launcher sets moescope.home to the repository, so it is
     * found from any working folder.
     */
    static Optional<Path> defaultModel() {
        return SampleModels.list().stream().findFirst();
    }
}
