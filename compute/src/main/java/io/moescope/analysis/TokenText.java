package io.moescope.analysis;

/**
 * Byte-level BPE spells a leading space as 'Ġ' and a newline as 'Ċ'; chips and axis labels show
 * them as a visible space mark and a return mark so that word boundaries stay visible.
 */
public final class TokenText {
    private TokenText() {}

    public static String display(String token) {
        StringBuilder s = new StringBuilder(token.length());
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            switch (c) {
                case 'Ġ', ' ' -> s.append('·');
                case 'Ċ', '\n' -> s.append('⏎');
                case 'ĉ', '\t' -> s.append('⇥');
                default -> s.append(c);
            }
        }
        return s.toString();
    }
}
