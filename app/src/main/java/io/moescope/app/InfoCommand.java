package io.moescope.app;

import io.moescope.inspect.ModelSummary;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "info",
        description = "Print a model's architecture, sizes, parameter counts (total and active), dtypes and memory.")
final class InfoCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR|REPO", description = "HF model folder (config.json, *.safetensors), or a repo id (org/name) found in the local Hugging Face cache.")
    Path model;

    @Override
    public Integer call() {
        model = ModelFolder.require(model);
        spec.commandLine().getOut().println(ModelSummary.of(model).render());
        return 0;
    }
}
