package io.moescope.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import io.moescope.files.CheckpointException;
import io.moescope.tensor.FloatTensor;
import java.io.IOException;
import io.moescope.files.OutputGuard;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A Hugging Face model folder: {@code config.json} plus weights in {@code model.safetensors} or in
 * shards named by {@code model.safetensors.index.json}. All files are validated at open (headers
 * only: no weight is read); tensors are then served as stored ({@link #stored}) or as float32, and
 * each is checked for NaN/Inf when first read, the counts kept as {@link #warnings()}.
 */
public final class Checkpoint implements WeightSource, AutoCloseable {

    public static final String CONFIG = "config.json";
    public static final String SINGLE_FILE = "model.safetensors";
    public static final String TOKENIZER = "tokenizer.json";

    private final Path dir;
    private final JsonNode config;
    private final List<SafetensorsFile> files;
    private final Map<String, SafetensorsFile> owner;
    private final Map<String, TensorInfo> infos;
    private final List<String> warnings = new ArrayList<>();
    private final Set<String> warned = new HashSet<>();

    private Checkpoint(Path dir, JsonNode config, List<SafetensorsFile> files,
                       Map<String, SafetensorsFile> owner, Map<String, TensorInfo> infos) {
        this.dir = dir;
        this.config = config;
        this.files = files;
        this.owner = owner;
        this.infos = infos;
    }

    /** @throws CheckpointException naming the folder or file at fault */
    public static Checkpoint open(Path dir) {
        if (!Files.exists(dir)) throw new CheckpointException(dir, "model folder not found");
        if (!Files.isDirectory(dir)) {
            throw new CheckpointException(dir, "not a folder: expected a Hugging Face model folder with config.json and model.safetensors");
        }
        Path configFile = dir.resolve(CONFIG);
        if (!Files.exists(configFile, LinkOption.NOFOLLOW_LINKS)) throw new CheckpointException(dir, "config.json missing");
        ModelFiles.require(dir, CONFIG);
        // Nothing the run writes may land in the folder it reads (inspect --out MODEL/model.safetensors).
        OutputGuard.protectFolder(dir);
        JsonNode config = Json.parseFile(configFile, "JSON in config.json");
        if (!config.isObject()) throw new CheckpointException(configFile, "config.json is not a JSON object");

        Path single = ModelFiles.optional(dir, SINGLE_FILE);
        Path index = ModelFiles.optional(dir, ShardIndex.FILE_NAME);
        if (single != null) return fromSingle(dir, config, single);
        if (index != null) return fromIndex(dir, config, ShardIndex.read(dir, index));
        refusePickles(dir);
        throw new CheckpointException(dir, "no weights: neither " + SINGLE_FILE + " nor " + ShardIndex.FILE_NAME + " found");
    }

    private static Checkpoint fromSingle(Path dir, JsonNode config, Path single) {
        SafetensorsFile f = SafetensorsFile.open(single);
        Map<String, SafetensorsFile> owner = new LinkedHashMap<>();
        for (String name : f.tensors().keySet()) owner.put(name, f);
        return new Checkpoint(dir, config, List.of(f), owner, f.tensors());
    }

    private static Checkpoint fromIndex(Path dir, JsonNode config, ShardIndex index) {
        Map<Path, SafetensorsFile> opened = new LinkedHashMap<>();
        try {
            Map<String, SafetensorsFile> owner = new LinkedHashMap<>();
            Map<String, TensorInfo> infos = new LinkedHashMap<>();
            for (Map.Entry<String, Path> e : index.weightMap().entrySet()) {
                SafetensorsFile f = opened.get(e.getValue());
                if (f == null) {
                    f = SafetensorsFile.open(e.getValue());
                    opened.put(e.getValue(), f);
                }
                TensorInfo info = f.info(e.getKey());
                if (info == null) {
                    throw new CheckpointException(f.file(), "tensor " + e.getKey() + " listed in " + ShardIndex.FILE_NAME
                            + " is missing from this shard");
                }
                owner.put(e.getKey(), f);
                infos.put(e.getKey(), info);
            }
            return new Checkpoint(dir, config, List.copyOf(opened.values()), owner, Collections.unmodifiableMap(infos));
        } catch (RuntimeException ex) {
            opened.values().forEach(SafetensorsFile::close);
            throw ex;
        }
    }

    /** Without safetensors weights, a pickle file is the likely reason: say how to convert it. */
    private static void refusePickles(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            Optional<Path> pickle = s.filter(Files::isRegularFile).filter(PickleRefusal::isPickle)
                    .min(Comparator.comparing((Path p) -> !p.getFileName().toString().startsWith("pytorch_model"))
                            .thenComparing(Comparator.naturalOrder()));
            if (pickle.isPresent()) throw PickleRefusal.refuse(pickle.get());
        } catch (IOException e) {
            throw new CheckpointException(dir, "cannot list the folder: " + e.getMessage(), e);
        }
    }

    @Override
    public Path origin() {
        return dir;
    }

    public Path dir() {
        return dir;
    }

    public Path configFile() {
        return dir.resolve(CONFIG);
    }

    /** A copy: callers may not change what other callers see. */
    public JsonNode configJson() {
        return config.deepCopy();
    }

    /** @throws CheckpointException when tokenizer.json is there but links out of the folder or is not a regular file */
    public Optional<Path> tokenizerFile() {
        return Optional.ofNullable(ModelFiles.optional(dir, TOKENIZER));
    }

    /** In header order, or weight_map order for a sharded checkpoint. */
    public Set<String> tensorNames() {
        return infos.keySet();
    }

    /** @return null if absent */
    public TensorInfo info(String name) {
        return infos.get(name);
    }

    @Override
    public boolean has(String name) {
        return infos.containsKey(name);
    }

    /**
     * Float32 view of a tensor: zero-copy for F32, widened otherwise; an F8_E4M3 {@code X.weight}
     * with an {@code X.weight_scale_inv} companion is dequantised with its 128x128 block scales.
     */
    public FloatTensor floats(String name) {
        TensorInfo info = infoOrThrow(name);
        return info.dtype().isFloat() ? stored(name).toFloat32() : owner.get(name).floats(name);
    }

    /** Like {@link #floats} but refuses a tensor whose shape is not what the config implies. */
    @Override
    public FloatTensor require(String name, long... shape) {
        return stored(name, shape).toFloat32();
    }

    /**
     * The tensor as stored, shape-checked like {@link #require}, nothing read yet: the backend widens
     * what it uses, and its NaN/Inf check runs when it is first widened.
     */
    @Override
    public StoredWeight stored(String name, long... shape) {
        TensorInfo info = infoOrThrow(name);
        if (!Arrays.equals(info.shape(), shape)) {
            throw new CheckpointException(info.file(), "tensor " + name + " has shape " + info.shapeString() + ", expected "
                    + Arrays.toString(shape) + " for this config");
        }
        return stored(name);
    }

    private StoredWeight stored(String name) {
        TensorInfo info = infoOrThrow(name);
        if (!info.dtype().isFloat()) {
            throw new CheckpointException(info.file(), "tensor " + name + " is " + info.dtype() + ", expected a float tensor");
        }
        TensorInfo scale = info.dtype() == DType.F8_E4M3 && name.endsWith(".weight") ? infos.get(name + Fp8BlockScales.SUFFIX) : null;
        FloatTensor scales = scale == null ? null : Fp8BlockScales.check(info, scale, floats(scale.name()));
        StoredWeight[] self = new StoredWeight[1];
        self[0] = new StoredWeight(name, owner.get(name).bytes(name), info.dtype(), info.shape(), scales, () -> scan(info, self[0]));
        return self[0];
    }

    public int[] ints(String name) {
        infoOrThrow(name);
        return owner.get(name).ints(name);
    }

    /** One line per tensor read so far that held NaN or Inf values, for the caller to print. */
    public synchronized List<String> warnings() {
        return List.copyOf(warnings);
    }

    /** Number of parameters (elements) stored in each dtype. */
    public Map<DType, Long> dtypeCounts() {
        Map<DType, Long> counts = new EnumMap<>(DType.class);
        for (TensorInfo t : infos.values()) counts.merge(t.dtype(), t.elementCount(), Long::sum);
        return Collections.unmodifiableMap(counts);
    }

    public long parameterCount() {
        long n = 0;
        for (TensorInfo t : infos.values()) n += t.elementCount();
        return n;
    }

    /** Bytes of tensor data as stored, over all shards. */
    public long totalBytes() {
        long n = 0;
        for (TensorInfo t : infos.values()) n += t.byteSize();
        return n;
    }

    /** The safetensors files backing this checkpoint, in the order they were opened. */
    public List<Path> files() {
        return files.stream().map(SafetensorsFile::file).toList();
    }

    private TensorInfo infoOrThrow(String name) {
        TensorInfo info = infos.get(name);
        if (info == null) throw new CheckpointException(dir, "tensor " + name + " missing");
        return info;
    }

    private void scan(TensorInfo info, StoredWeight t) {
        NonFiniteCount c = NonFiniteCount.of(t);
        if (!c.any()) return;
        synchronized (this) {
            if (warned.add(info.name())) {
                warnings.add(info.file().getFileName() + ": tensor " + info.name() + " has " + c.nan() + " NaN and "
                        + c.inf() + " Inf values");
            }
        }
    }

    /** Unmaps every shard; tensors handed out as F32 views become invalid. */
    @Override
    public void close() {
        files.forEach(SafetensorsFile::close);
    }
}
