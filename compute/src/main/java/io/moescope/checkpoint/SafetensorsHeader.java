package io.moescope.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import io.moescope.files.CheckpointException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parsed and fully validated JSON header of a safetensors file. Everything is checked here,
 * before any tensor is touched, so that a malformed file fails at open with one clear problem.
 */
record SafetensorsHeader(Map<String, TensorInfo> tensors, Map<String, String> metadata) {

    static final String SUPPORTED = "F32, F16, BF16, F8_E4M3, I32, I64";

    /**
     * @param dataStart  absolute file offset of the byte buffer after the header
     * @param dataLength length of that buffer
     */
    static SafetensorsHeader parse(Path file, byte[] json, long dataStart, long dataLength) {
        JsonNode root = Json.parse(file, json, "header JSON");
        if (!root.isObject()) throw new CheckpointException(file, "header is not a JSON object");
        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        Map<String, String> metadata = Map.of();
        for (Map.Entry<String, JsonNode> e : root.properties()) {
            if (e.getKey().equals("__metadata__")) {
                metadata = metadata(file, e.getValue());
            } else {
                tensors.put(e.getKey(), entry(file, e.getKey(), e.getValue(), dataStart, dataLength));
            }
        }
        checkCoverage(file, tensors.values(), dataStart, dataLength);
        return new SafetensorsHeader(Collections.unmodifiableMap(tensors), metadata);
    }

    private static Map<String, String> metadata(Path file, JsonNode node) {
        if (!node.isObject()) throw new CheckpointException(file, "__metadata__ is not a JSON object");
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> m : node.properties()) {
            if (!m.getValue().isTextual()) {
                throw new CheckpointException(file, "__metadata__ value for \"" + m.getKey() + "\" is not a string");
            }
            out.put(m.getKey(), m.getValue().textValue());
        }
        return Collections.unmodifiableMap(out);
    }

    private static TensorInfo entry(Path file, String name, JsonNode node, long dataStart, long dataLength) {
        String where = "tensor " + name + ": ";
        if (!node.isObject()) throw new CheckpointException(file, where + "header entry is not a JSON object");
        for (String key : new String[] {"dtype", "shape", "data_offsets"}) {
            if (!node.has(key)) throw new CheckpointException(file, where + "header entry has no \"" + key + "\"");
        }
        DType dtype = dtype(file, where, node.get("dtype"));
        long[] shape = longs(file, where, "shape", node.get("shape"));
        for (long d : shape) {
            if (d < 0) throw new CheckpointException(file, where + "negative dimension " + d + " in shape " + Arrays.toString(shape));
        }
        // Sized with multiplyExact before anything is allocated, so a hostile shape cannot wrap around.
        long expected;
        try {
            long n = 1;
            for (long d : shape) n = Math.multiplyExact(n, d);
            expected = Math.multiplyExact(n, dtype.bytes());
        } catch (ArithmeticException ex) {
            throw new CheckpointException(file, where + "shape " + Arrays.toString(shape) + " has too many elements (size overflows)");
        }
        long[] offsets = longs(file, where, "data_offsets", node.get("data_offsets"));
        if (offsets.length != 2) throw new CheckpointException(file, where + "data_offsets must be [begin, end]");
        long begin = offsets[0], end = offsets[1];
        String range = "data_offsets [" + begin + ", " + end + "]";
        if (begin < 0 || end < 0) throw new CheckpointException(file, where + "negative " + range);
        if (end < begin) throw new CheckpointException(file, where + range + " end before begin");
        if (end > dataLength) {
            throw new CheckpointException(file, where + range + " out of range of the " + dataLength + "-byte data buffer");
        }
        if (end - begin != expected) {
            throw new CheckpointException(file, where + (end - begin) + " bytes for shape " + Arrays.toString(shape)
                    + " of " + dtype + " (" + expected + " expected)");
        }
        return new TensorInfo(name, dtype, shape, file, dataStart + begin, dataStart + end);
    }

    private static DType dtype(Path file, String where, JsonNode node) {
        String s = node.isTextual() ? node.textValue() : node.toString();
        for (DType d : DType.values()) if (d.name().equals(s)) return d;
        throw new CheckpointException(file, where + "unknown dtype " + Json.brief(node) + " (supported: " + SUPPORTED + ")");
    }

    private static long[] longs(Path file, String where, String key, JsonNode node) {
        if (!node.isArray()) throw new CheckpointException(file, where + key + " is not a list of integers");
        long[] out = new long[node.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode v = node.get(i);
            if (!v.isIntegralNumber() || !v.canConvertToLong()) {
                throw new CheckpointException(file, where + key + " is not a list of integers: " + Json.brief(node));
            }
            out[i] = v.longValue();
        }
        return out;
    }

    /** The spec wants the tensors to tile the data buffer exactly: no overlaps, no holes, nothing after. */
    private static void checkCoverage(Path file, Iterable<TensorInfo> infos, long dataStart, long dataLength) {
        List<TensorInfo> sorted = new ArrayList<>();
        infos.forEach(sorted::add);
        sorted.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        long covered = 0;
        TensorInfo prev = null;
        for (TensorInfo t : sorted) {
            long begin = t.begin() - dataStart;
            if (begin < covered) {
                throw new CheckpointException(file, "tensors " + prev.name() + " and " + t.name() + " overlap: bytes "
                        + span(prev, dataStart) + " and " + span(t, dataStart) + " of the data buffer");
            }
            if (begin > covered) {
                throw new CheckpointException(file, "hole in the data buffer: bytes [" + covered + ", " + begin
                        + ") belong to no tensor");
            }
            covered = t.end() - dataStart;
            prev = t;
        }
        if (covered != dataLength) {
            throw new CheckpointException(file, "hole in the data buffer: " + (dataLength - covered)
                    + " trailing bytes after the last tensor belong to no tensor");
        }
    }

    private static String span(TensorInfo t, long dataStart) {
        return "[" + (t.begin() - dataStart) + ", " + (t.end() - dataStart) + ")";
    }
}
