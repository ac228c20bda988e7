package io.moescope.lab;

import java.util.List;

/**
 * Flags for the global tokens of a local + global attention pattern (every token sees them, and
 * they see every earlier token): the first token (an attention sink), punctuation, or chosen
 * positions. Combine with {@link #or}.
 */
public final class GlobalTokens {
    private GlobalTokens() {}

    /** Only position 0. */
    public static boolean[] first(int tokens) {
        return positions(tokens, 0);
    }

    /** The chosen positions. @throws IllegalArgumentException for one outside 0..tokens-1 */
    public static boolean[] positions(int tokens, int... positions) {
        boolean[] g = new boolean[tokens];
        for (int p : positions) {
            if (p < 0 || p >= tokens) throw new IllegalArgumentException("global token position " + p + " outside 0.." + (tokens - 1));
            g[p] = true;
        }
        return g;
    }

    /**
     * Tokens whose text, without surrounding spaces and the tokenizers' space markers (Ġ, ▁),
     * is nothing but punctuation, such as "." or ",".
     */
    public static boolean[] punctuation(List<String> tokens) {
        boolean[] g = new boolean[tokens.size()];
        for (int i = 0; i < g.length; i++) {
            String s = tokens.get(i).replace("Ġ", "").replace("▁", "").strip();
            g[i] = !s.isEmpty() && s.codePoints().allMatch(GlobalTokens::isPunctuation);
        }
        return g;
    }

    /** Global where any of the flags is. */
    public static boolean[] or(boolean[] a, boolean[] b) {
        if (a.length != b.length) throw new IllegalArgumentException("global flags of " + a.length + " and " + b.length + " tokens");
        boolean[] g = new boolean[a.length];
        for (int i = 0; i < g.length; i++) g[i] = a[i] || b[i];
        return g;
    }

    private static boolean isPunctuation(int c) {
        return switch (Character.getType(c)) {
            case Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.START_PUNCTUATION,
                 Character.END_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION, Character.FINAL_QUOTE_PUNCTUATION,
                 Character.OTHER_PUNCTUATION -> true;
            default -> false;
        };
    }
}
