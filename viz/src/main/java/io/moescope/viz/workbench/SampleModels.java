package io.moescope.viz.workbench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The model folders bundled in sample-models/ of the MoEScope home (the launcher sets moescope.home). */
public final class SampleModels {
    private SampleModels() {}

    public static Path dir() {
        return Path.of(System.getProperty("moescope.home", ".")).resolve("sample-models");
    }

    /** Sub-folders holding a config.json, sorted by name; the first is the default model. */
    public static List<Path> list() {
        Path d = dir();
        if (!Files.isDirectory(d)) return List.of();
        try (Stream<Path> s = Files.list(d)) {
            return s.filter(p -> Files.isRegularFile(p.resolve("config.json"))).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }
}
