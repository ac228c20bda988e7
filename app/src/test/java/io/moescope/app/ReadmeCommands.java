package io.moescope.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** The {@code ./moescope} command lines of a README's code blocks, and how to run them on a small budget. */
final class ReadmeCommands {
    private ReadmeCommands() {}

    private static final String LAUNCHER = "./moescope";
    /** Words that stand for something the reader fills in. */
    private static final Pattern PLACEHOLDER = Pattern.compile("\\b(DIR|FILE)\\b|\\.\\.\\.");
    /** Budgets that keep a command to seconds; what it does is unchanged. */
    private static final Map<String, String> SMALL = Map.of("--steps", "2", "--seq", "16", "--runs", "1", "--warmup", "1");
    /** Commands that run as pasted but write more than a test should: a published model's full-size checkpoint. */
    private static final Map<String, String> TOO_LARGE = Map.of("random-checkpoint",
            "writes a full-size checkpoint, gigabytes (RandomCheckpointCommandTest runs it on small configs)");
    /** Text files are cut to their first lines up to this many characters. */
    private static final int TEXT_CHARS = 16_000;

    /**
     * One command: the line as the README has it, its arguments after {@code ./moescope}, why it
     * cannot run as pasted (null when it can) and what the README shows it printing (empty: nothing
     * shown, or a sketch with "...").
     */
    record Example(String line, List<String> args, String whyNot, List<String> expected) {
        boolean runnable() {
            return whyNot == null;
        }

        /** Relative paths among the arguments that exist in the repository. */
        List<Path> inputs(Path root) {
            return args.stream().filter(a -> !a.startsWith("-") && !a.isBlank() && !Path.of(a).isAbsolute())
                    .map(Path::of).filter(p -> Files.exists(root.resolve(p))).toList();
        }

        /** What --out and --screenshot name. */
        List<String> outputs() {
            List<String> out = new ArrayList<>();
            for (int i = 0; i + 1 < args.size(); i++) {
                if (args.get(i).equals("--out") || args.get(i).equals("--screenshot")) out.add(args.get(i + 1));
            }
            return out;
        }
    }

    static List<Example> parse(String markdown) {
        List<Example> examples = new ArrayList<>();
        List<String> lines = markdown.lines().toList();
        boolean fenced = false;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.startsWith("```")) {
                fenced = !fenced;
                continue;
            }
            if (!fenced) continue;
            boolean shown = line.startsWith("$ ");
            String command = shown ? line.substring(2).strip() : line;
            if (!command.equals(LAUNCHER) && !command.startsWith(LAUNCHER + " ")) continue;
            while (command.endsWith("\\") && i + 1 < lines.size()) {
                command = command.substring(0, command.length() - 1).strip() + " " + lines.get(++i).strip();
            }
            command = command.replaceFirst("\\s{2,}#.*$", "");
            List<String> expected = new ArrayList<>();
            while (shown && i + 1 < lines.size() && !lines.get(i + 1).startsWith("$ ") && !lines.get(i + 1).startsWith("```")) {
                expected.add(lines.get(++i));
            }
            if (expected.stream().anyMatch(l -> l.contains("..."))) expected.clear();
            List<String> args = words(command.substring(LAUNCHER.length()));
            examples.add(new Example(command, args, whyNot(args), expected));
        }
        return examples;
    }

    private static String whyNot(List<String> args) {
        if (args.isEmpty()) return "opens the window and waits for the user";
        if (TOO_LARGE.containsKey(args.getFirst())) return TOO_LARGE.get(args.getFirst());
        for (String a : args) {
            if (PLACEHOLDER.matcher(a).find()) return "placeholder " + a;
            if (a.contains("|")) return "a choice to make: " + a;
            if (a.startsWith("[")) return "an optional part: " + a;
        }
        return null;
    }

    /** The words of a command line as a shell splits them: blanks separate, double quotes group. */
    static List<String> words(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder word = null;
        boolean quoted = false;
        for (char c : line.toCharArray()) {
            if (c == '"') {
                quoted = !quoted;
                if (word == null) word = new StringBuilder();
            } else if (Character.isWhitespace(c) && !quoted) {
                if (word != null) words.add(word.toString());
                word = null;
            } else {
                if (word == null) word = new StringBuilder();
                word.append(c);
            }
        }
        if (word != null) words.add(word.toString());
        return words;
    }

    /**
     * The arguments with budgets cut: {@link #SMALL} settings, bench's warm-up and timed passes, and
     * text files (training data, sweep texts) replaced by their first lines, copied into work.
     */
    static List<String> withSmallBudget(List<String> args, Path work, Path root) throws IOException {
        List<String> out = new ArrayList<>(args);
        for (int i = 0; i + 1 < out.size(); i++) {
            String option = out.get(i), value = out.get(i + 1);
            if (SMALL.containsKey(option)) {
                out.set(i + 1, SMALL.get(option));
            } else if ((option.equals("--data") || option.equals("--text")) && value.endsWith(".txt")
                    && Files.isRegularFile(root.resolve(value))) {
                out.set(i + 1, excerpt(root.resolve(value), work).toString());
            }
        }
        if (out.getFirst().equals("bench")) {
            if (!out.contains("--runs")) out.addAll(List.of("--runs", "1"));
            if (!out.contains("--max-warmup")) out.addAll(List.of("--max-warmup", "2"));
        }
        return out;
    }

    private static Path excerpt(Path text, Path work) throws IOException {
        String s = Files.readString(text);
        int cut = s.length() <= TEXT_CHARS ? s.length() : s.lastIndexOf('\n', TEXT_CHARS) + 1;
        Path to = work.resolve("excerpt-" + text.getFileName());
        Files.writeString(to, s.substring(0, cut));
        return to;
    }
}
