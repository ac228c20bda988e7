package io.moescope.analysis;

import java.util.List;

/**
 * A text turned into token ids, with the display text of each token.
 *
 * @param note null, or a line for the status bar about how the text was read (e.g. no tokenizer)
 */
public record Prompt(String text, int[] ids, List<String> tokens, String note) {}
