package io.moescope.viz.session;

import io.moescope.files.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The last model folders opened, newest first, kept in ~/.moescope/recent-models.txt (one path a
 * line) so that they survive restarts. The folder can be moved with -Dmoescope.settings=DIR,
 * which the tests use to stay out of the real home.
 */
public final class RecentModels {
    private RecentModels() {}

    static final int KEEP = 10;

    public static Path settingsDir() {
        String dir = System.getProperty("moescope.settings");
        return dir != null ? Path.of(dir) : Path.of(System.getProperty("user.home"), ".moescope");
    }

    private static Path file() {
        return settingsDir().resolve("recent-models.txt");
    }

    /** Folders that still exist, newest first. */
    public static List<Path> list() {
        try {
            if (!Files.isRegularFile(file())) return List.of();
            List<Path> out = new ArrayList<>();
            String text = new String(io.moescope.files.InputFiles.readOwnBytes(file(), io.moescope.files.InputFiles.MAX_JSON_BYTES), StandardCharsets.UTF_8);
            for (String line : text.split("\\R")) {
                if (line.isBlank()) continue;
                Path p = Path.of(line.strip());
                if (Files.isDirectory(p) && !out.contains(p)) out.add(p);
            }
            return out;
        } catch (RuntimeException e) {
            return List.of();   // a damaged list costs the user a menu, not the window
        }
    }

    /** Puts the folder first; failures to write are ignored for the same reason. */
    public static void add(Path dir) {
        List<Path> all = new ArrayList<>(list());
        Path abs = dir.toAbsolutePath().normalize();
        all.remove(abs);
        all.addFirst(abs);
        StringBuilder s = new StringBuilder();
        for (Path p : all.subList(0, Math.min(KEEP, all.size()))) s.append(p).append('\n');
        try {
            Files.createDirectories(settingsDir());
            AtomicFiles.write(file(), s.toString().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // ignored: see above
        }
    }
}
