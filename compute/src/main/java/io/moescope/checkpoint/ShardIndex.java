package io.moescope.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import io.moescope.files.CheckpointException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The {@code weight_map} of a {@code model.safetensors.index.json}: tensor name to shard file.
 * The index comes with downloaded models, so its file names are untrusted: each must stay
 * inside the model folder, even after following symlinks.
 */
record ShardIndex(Path indexFile, Map<String, Path> weightMap) {

    static final String FILE_NAME = "model.safetensors.index.json";
    private static final Pattern DRIVE = Pattern.compile("^[A-Za-z]:.*");

    /** @param dir the model folder; shards are resolved and checked against its real path */
    static ShardIndex read(Path dir, Path indexFile) {
        JsonNode root = Json.parseFile(indexFile, "JSON");
        JsonNode map = root.isObject() ? root.get("weight_map") : null;
        if (map == null || !map.isObject()) throw new CheckpointException(indexFile, "no \"weight_map\" object");
        Map<String, Path> shards = new LinkedHashMap<>();   // shard name -> checked path, each checked once
        Map<String, Path> weights = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : map.properties()) {
            JsonNode v = e.getValue();
            if (!v.isTextual()) {
                throw new CheckpointException(indexFile, "weight_map entry for " + e.getKey() + " is not a file name");
            }
            String shard = v.textValue();
            Path p = shards.get(shard);
            if (p == null) {
                p = checkShard(dir, indexFile, e.getKey(), shard);
                shards.put(shard, p);
            }
            weights.put(e.getKey(), p);
        }
        return new ShardIndex(indexFile, Collections.unmodifiableMap(weights));
    }

    private static Path checkShard(Path dir, Path indexFile, String tensor, String shard) {
        String bad = "shard file name \"" + shard + "\" (for tensor " + tensor + ") ";
        if (shard.isEmpty()) throw new CheckpointException(indexFile, bad + "is empty");
        if (shard.startsWith("/") || shard.startsWith("\\") || DRIVE.matcher(shard).matches()) {
            throw new CheckpointException(indexFile, bad + "is an absolute path; shards must lie in the model folder");
        }
        for (String part : shard.split("[/\\\\]")) {
            if (part.equals("..")) throw new CheckpointException(indexFile, bad + "contains \"..\"; shards must lie in the model folder");
        }
        Path p;
        try {
            p = dir.resolve(shard);
        } catch (InvalidPathException ex) {
            throw new CheckpointException(indexFile, bad + "is not a valid path");
        }
        if (PickleRefusal.isPickle(p)) throw PickleRefusal.refuse(p);
        if (!Files.exists(p)) {
            throw new CheckpointException(p, "shard listed in " + FILE_NAME + " (for tensor " + tensor + ") not found");
        }
        ModelFiles.requireInside(dir, p, indexFile, bad.strip());
        return p;
    }
}
