package io.moescope.tokenizer;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The regexes of a tokenizer.json (Split pre-tokenizers, Replace normalizers) run in the native
 * library's backtracking engine, which aborts the process when a match takes too long: a repeated
 * group that can itself repeat or choose, like {@code (a|aa)+$} or {@code (a+)+}, takes exponential
 * time on a run of a's that ends in a mismatch. No tokenizer in use needs one (GPT-2's, Llama 3's,
 * Qwen's and DeepSeek's patterns repeat single characters and classes only), so they are refused.
 */
final class TokenizerRegex {
    private TokenizerRegex() {}

    /** @return why the pattern is refused, or null when it has no repeated group that repeats or alternates inside */
    static String nestedRepetition(String pattern) {
        // Per open group: does it hold a quantifier or an alternation (itself or in a group inside it)?
        Deque<boolean[]> groups = new ArrayDeque<>();
        groups.push(new boolean[1]);
        boolean lastWasAmbiguousGroup = false;
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            boolean closedAmbiguous = false;
            switch (c) {
                case '\\' -> i++;
                case '[' -> i = endOfClass(pattern, i);
                case '(' -> groups.push(new boolean[1]);
                case ')' -> {
                    if (groups.size() > 1) {
                        boolean inner = groups.pop()[0];
                        closedAmbiguous = inner;
                        if (inner) groups.peek()[0] = true;
                    }
                }
                case '|' -> groups.peek()[0] = true;
                case '*', '+', '{' -> {
                    if (c == '{' && !isCountedRepeat(pattern, i)) break;
                    if (lastWasAmbiguousGroup) {
                        return "its regex \"" + brief(pattern) + "\" repeats a group that itself repeats or alternates,"
                                + " which the native tokenizer's engine can take exponential time over (and then abort)";
                    }
                    groups.peek()[0] = true;
                }
                case '?' -> {
                    // a lazy or possessive marker after a quantifier, or an optional: neither nests a repetition
                }
                default -> { }
            }
            lastWasAmbiguousGroup = closedAmbiguous;
        }
        return null;
    }

    /** {n,} or {n,m} with m > 1: a repetition; {n} or a literal brace is not ambiguous enough to matter. */
    private static boolean isCountedRepeat(String p, int i) {
        int close = p.indexOf('}', i);
        if (close < 0) return false;
        String body = p.substring(i + 1, close);
        if (!body.matches("\\d*,\\d*|\\d+")) return false;
        if (!body.contains(",")) return Integer.parseInt(body.isEmpty() ? "0" : body.length() > 6 ? "999999" : body) > 1;
        return true;
    }

    /** The index of the ']' that closes the class opened at {@code open} (classes may nest in onig). */
    private static int endOfClass(String p, int open) {
        int depth = 0;
        for (int i = open; i < p.length(); i++) {
            char c = p.charAt(i);
            if (c == '\\') i++;
            else if (c == '[') depth++;
            else if (c == ']' && i > open + 1 && --depth == 0) return i;
        }
        return p.length();
    }

    private static String brief(String s) {
        String t = s.replaceAll("\\p{Cntrl}", "?");
        return t.length() <= 40 ? t : t.substring(0, 40) + "...";
    }
}
