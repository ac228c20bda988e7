package io.moescope.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The layering the README's "Project layout" promises, read from the main sources of every module:
 * modules use only the modules below them (compute, report, viz, app); compute and report never
 * touch JavaFX, so the command line runs without a display; inside report and viz a package uses
 * only the packages below it in the orders here; in every module no two packages and no two files
 * need each other, directly or round a loop (so compute's packages, too, stand in some order). A
 * reference is an import or a qualified name in code; comments and strings do not count, and a file
 * names the classes of its own package by simple name.
 */
class LayeringTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final List<String> MODULES = List.of("compute", "report", "viz", "app");

    /** Bottom first: a package may use only those listed before it. */
    private static final List<String> REPORT = List.of("profile", "heatmap", "chart", "export", "lab");
    private static final List<String> VIZ = List.of("thread", "state", "heatmap", "widget", "export", "view", "lab", "session",
            "workbench", "bench", "");
    /** The only app classes that open a window. */
    private static final Set<String> GUI_COMMANDS = Set.of("GuiCommand", "BenchUiCommand");

    private static final Pattern QUALIFIED = Pattern.compile("\\bio\\.moescope((?:\\.[a-z]\\w*)*)\\.(?:([A-Z]\\w*)|\\*)");
    private static final Pattern JAVAFX = Pattern.compile("\\b(javafx\\.|org\\.jfree\\.chart\\.fx\\b)");

    /** One main source file: its package, class name and code without comments or string contents. */
    record Source(String module, String pkg, String name, String code) {
        String id() {
            return pkg + "." + name;
        }
    }

    @Test
    void computeAndReportNeverTouchJavaFx() {
        List<String> bad = new ArrayList<>();
        for (Source s : sources()) {
            if ((s.module().equals("compute") || s.module().equals("report")) && JAVAFX.matcher(s.code()).find()) bad.add(s.id());
        }
        assertEquals(List.of(), bad, "headless modules using JavaFX");
    }

    @Test
    void modulesUseOnlyTheModulesBelow() {
        List<String> bad = new ArrayList<>();
        for (Source s : sources()) {
            for (String target : references(s, Map.of())) {
                if (MODULES.indexOf(moduleOf(target)) > MODULES.indexOf(s.module())) bad.add(s.id() + " -> " + target);
            }
        }
        assertEquals(List.of(), bad, "references up the module order compute, report, viz, app");
    }

    @Test
    void appOpensViewsOnlyFromTheGuiCommands() {
        List<String> bad = new ArrayList<>();
        for (Source s : sources()) {
            if (!s.module().equals("app") || GUI_COMMANDS.contains(s.name())) continue;
            for (String target : references(s, Map.of())) {
                if (moduleOf(target).equals("viz")) bad.add(s.id() + " -> " + target);
            }
        }
        assertEquals(List.of(), bad, "app classes other than " + GUI_COMMANDS + " using viz");
    }

    @Test
    void reportPackagesUseOnlyThoseBelow() {
        assertEquals(List.of(), upward("report", "io.moescope.report", REPORT));
    }

    @Test
    void vizPackagesUseOnlyThoseBelow() {
        assertEquals(List.of(), upward("viz", "io.moescope.viz", VIZ));
    }

    @Test
    void noFileNeedsItselfRoundALoop() {
        for (String module : MODULES) {
            List<Source> in = sources().stream().filter(s -> s.module().equals(module)).toList();
            Map<String, Set<String>> byPackage = new TreeMap<>();
            for (Source s : in) byPackage.computeIfAbsent(s.pkg(), k -> new TreeSet<>()).add(s.name());
            Map<String, Set<String>> files = new TreeMap<>(), packages = new TreeMap<>();
            for (Source s : in) {
                for (String target : references(s, byPackage)) {
                    if (!moduleOf(target).equals(module) || target.equals(s.id())) continue;
                    files.computeIfAbsent(s.id(), k -> new TreeSet<>()).add(target);
                    String targetPackage = target.substring(0, target.lastIndexOf('.'));
                    if (!targetPackage.equals(s.pkg())) packages.computeIfAbsent(s.pkg(), k -> new TreeSet<>()).add(targetPackage);
                }
            }
            assertEquals(List.of(), loop(packages), module + ": packages that need each other");
            assertEquals(List.of(), loop(files), module + ": files that need each other");
        }
    }

    /** The checks above are only as good as the loop finder and the reference reader. */
    @Test
    void theCheckerSeesLoopsAndReferences() {
        assertEquals(List.of("a", "b", "c", "a"), loop(Map.of("a", Set.of("b"), "b", Set.of("c"), "c", Set.of("a", "d"))));
        assertEquals(List.of(), loop(Map.of("a", Set.of("b", "c"), "b", Set.of("c"))));
        Source s = new Source("viz", "io.moescope.viz.view", "V", code("""
                package io.moescope.viz.view;
                import io.moescope.viz.state.Selection;
                // io.moescope.viz.workbench.Commented is no reference
                class V { Object o = io.moescope.report.chart.LoadChart.class; String s = "io.moescope.app.Quoted"; W w; }
                """));
        assertEquals(Set.of("io.moescope.viz.state.Selection", "io.moescope.report.chart.LoadChart", "io.moescope.viz.view.W"),
                references(s, Map.of("io.moescope.viz.view", Set.of("V", "W"))));
        assertTrue(JAVAFX.matcher(code("import javafx.scene.Node;")).find());
    }

    private static List<String> upward(String module, String base, List<String> order) {
        List<String> bad = new ArrayList<>();
        for (Source s : sources()) {
            if (!s.module().equals(module)) continue;
            int own = order.indexOf(sub(base, s.pkg()));
            if (own < 0) {
                bad.add(s.pkg() + " is not in the order of " + module + "'s packages: place it there");
                continue;
            }
            for (String target : references(s, Map.of())) {
                String pkg = target.substring(0, target.lastIndexOf('.'));
                boolean inModule = pkg.equals(base) || pkg.startsWith(base + ".");
                if (!inModule || pkg.equals(s.pkg())) continue;
                if (order.indexOf(sub(base, pkg)) >= own) bad.add(s.id() + " -> " + target);
            }
        }
        return bad;
    }

    private static String sub(String base, String pkg) {
        return pkg.equals(base) ? "" : pkg.substring(base.length() + 1).split("\\.")[0];
    }

    private static String moduleOf(String qualified) {
        for (String m : List.of("report", "viz", "app")) {
            if (qualified.startsWith("io.moescope." + m + ".")) return m;
        }
        return "compute";
    }

    /**
     * What a file uses: qualified names (imports included; a wildcard import counts as its package,
     * written PKG.*) and, given the classes of each package, the simple names of its own package's.
     */
    private static Set<String> references(Source s, Map<String, Set<String>> byPackage) {
        Set<String> out = new LinkedHashSet<>();
        Matcher m = QUALIFIED.matcher(s.code());
        while (m.find()) out.add("io.moescope" + m.group(1) + "." + (m.group(2) == null ? "*" : m.group(2)));
        String body = s.code().replaceAll("(?m)^\\s*(package|import) .*$", "");
        for (String other : byPackage.getOrDefault(s.pkg(), Set.of())) {
            if (!other.equals(s.name()) && Pattern.compile("\\b" + other + "\\b").matcher(body).find()) out.add(s.pkg() + "." + other);
        }
        return out;
    }

    /** A loop in the graph as its nodes, first repeated at the end; empty when there is none. */
    static List<String> loop(Map<String, Set<String>> graph) {
        Map<String, Integer> state = new TreeMap<>();   // 1: on the current path, 2: done
        for (String start : new TreeSet<>(graph.keySet())) {
            List<String> path = new ArrayList<>();
            List<String> found = visit(start, graph, state, path);
            if (!found.isEmpty()) return found;
        }
        return List.of();
    }

    private static List<String> visit(String node, Map<String, Set<String>> graph, Map<String, Integer> state, List<String> path) {
        Integer seen = state.get(node);
        if (seen != null && seen == 2) return List.of();
        if (seen != null) {
            List<String> cycle = new ArrayList<>(path.subList(path.indexOf(node), path.size()));
            cycle.add(node);
            return cycle;
        }
        state.put(node, 1);
        path.add(node);
        for (String next : new TreeSet<>(graph.getOrDefault(node, Set.of()))) {
            List<String> found = visit(next, graph, state, path);
            if (!found.isEmpty()) return found;
        }
        path.removeLast();
        state.put(node, 2);
        return List.of();
    }

    private static List<Source> cache;

    private static synchronized List<Source> sources() {
        if (cache != null) return cache;
        List<Source> out = new ArrayList<>();
        for (String module : MODULES) {
            Path dir = ROOT.resolve(module).resolve("src/main/java");
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                    String code = code(Files.readString(f));
                    Matcher pkg = Pattern.compile("(?m)^package ([\\w.]+);").matcher(code);
                    String name = f.getFileName().toString().replace(".java", "");
                    if (!name.equals("package-info")) out.add(new Source(module, pkg.find() ? pkg.group(1) : "", name, code));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        assertTrue(out.size() > 100, "read the sources from " + ROOT);
        cache = List.copyOf(out);
        return cache;
    }

    /** The code without comments and with empty string and character literals (text blocks included). */
    static String code(String java) {
        StringBuilder out = new StringBuilder(java.length());
        int i = 0, n = java.length();
        while (i < n) {
            char c = java.charAt(i);
            if (java.startsWith("//", i)) {
                while (i < n && java.charAt(i) != '\n') i++;
            } else if (java.startsWith("/*", i)) {
                int end = java.indexOf("*/", i + 2);
                i = end < 0 ? n : end + 2;
                out.append(' ');
            } else if (java.startsWith("\"\"\"", i)) {
                int end = java.indexOf("\"\"\"", i + 3);
                i = end < 0 ? n : end + 3;
                out.append("\"\"");
            } else if (c == '"' || c == '\'') {
                i++;
                while (i < n && java.charAt(i) != c && java.charAt(i) != '\n') i += java.charAt(i) == '\\' ? 2 : 1;
                i++;
                out.append(c).append(c);
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }
}
