package io.moescope.analysis;

import io.moescope.tokenizer.Tokenizer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Text to ids for the workbench. With a tokenizer.json, exactly as HF tokenizes. Without one (the
 * conformance checkpoints have none), a prompt of numbers is read as ids, and any other text one
 * UTF-8 byte per token (modulo the vocabulary), so that every model can still be explored.
 */
final class PromptEncoder {
    private static final Pattern IDS = Pattern.compile("\\s*\\d+(\\s*[,\\s]\\s*\\d+)*\\s*");

    private final Tokenizer tokenizer;
    private final int vocab;

    PromptEncoder(Tokenizer tokenizer, int vocab) {
        this.tokenizer = tokenizer;
        this.vocab = vocab;
    }

    Prompt encode(String text) {
        if (tokenizer != null) {
            int[] ids = tokenizer.encode(text);
            List<String> tokens = new ArrayList<>();
            for (String t : tokenizer.tokens(text)) tokens.add(TokenText.display(t));
            return new Prompt(text, ids, tokens, null);
        }
        if (IDS.matcher(text).matches()) {
            String[] parts = text.strip().split("[,\\s]+");
            int[] ids = new int[parts.length];
            List<String> tokens = new ArrayList<>();
            for (int i = 0; i < parts.length; i++) {
                ids[i] = Integer.parseInt(parts[i]);
                tokens.add(parts[i]);
            }
            return new Prompt(text, ids, tokens, "no tokenizer.json: the numbers are token ids");
        }
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        int[] ids = new int[bytes.length];
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < bytes.length; i++) {
            ids[i] = (bytes[i] & 0xff) % vocab;
            int b = bytes[i] & 0xff;
            tokens.add(b >= 0x20 && b < 0x7f ? TokenText.display(String.valueOf((char) b))
                    : b == '\n' ? TokenText.display("\n") : String.format("<%02x>", b));
        }
        return new Prompt(text, ids, tokens, "no tokenizer.json: one token per byte (ids = bytes mod " + vocab + ")");
    }

    String text(int id) {
        return tokenizer != null ? TokenText.display(tokenizer.decode(new int[]{id})) : Integer.toString(id);
    }
}
