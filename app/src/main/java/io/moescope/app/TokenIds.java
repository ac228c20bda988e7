package io.moescope.app;

import java.util.Arrays;
import java.util.StringJoiner;

/** The --ids syntax: comma-separated non-negative integers, e.g. {@code 5,17,42}. */
final class TokenIds {
    private TokenIds() {}

    static int[] parse(String text) {
        if (text.isBlank()) throw new IllegalArgumentException("empty input: --ids needs at least one token id");
        String[] parts = text.split(",", -1);
        int[] ids = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i].strip();
            try {
                ids[i] = Integer.parseInt(p);
            } catch (NumberFormatException e) {
                ids[i] = -1;
            }
            if (ids[i] < 0 || p.startsWith("+")) {
                throw new IllegalArgumentException("bad --ids '" + text + "': '" + p + "' is not a token id"
                        + " (expected comma-separated non-negative integers, e.g. 5,17,42)");
            }
        }
        return ids;
    }

    /** JSON array, as {@code tokenize} prints ids: {@code [42,79,260]}. */
    static String json(int[] ids) {
        StringJoiner j = new StringJoiner(",", "[", "]");
        for (int id : ids) j.add(Integer.toString(id));
        return j.toString();
    }

    static String csv(int[] ids) {
        return String.join(",", Arrays.stream(ids).mapToObj(Integer::toString).toList());
    }
}
