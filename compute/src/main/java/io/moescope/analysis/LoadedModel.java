package io.moescope.analysis;

import io.moescope.backend.Backend;
import io.moescope.backend.select.Backends;
import io.moescope.backend.CpuFallback;
import io.moescope.backend.DeviceInfo;
import io.moescope.backend.DeviceOutOfMemoryException;
import io.moescope.checkpoint.Checkpoint;
import io.moescope.files.CheckpointException;
import io.moescope.inspect.MemoryEstimate;
import io.moescope.inspect.RunLimits;
import io.moescope.model.ModelConfig;
import io.moescope.model.ModelLoader;
import io.moescope.model.MoeModel;
import io.moescope.tokenizer.Tokenizer;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * A model folder opened for analysis: the checkpoint (which must stay open, since float32 weights
 * are used straight from the mapped file), the model on its backend, and the tokenizer if the
 * folder has one. Closing releases all three.
 *
 * <p>When a GPU backend runs out of device memory, while loading or in a run through
 * {@link #onDevice}, the model moves to the CPU (unless that was turned off): the GPU backend is
 * closed, the weights are loaded again on the java backend, the listener is told, and the work is
 * redone. {@link #backendName()} then says java.
 */
public final class LoadedModel implements AutoCloseable {
    private final Path dir;
    private final Checkpoint checkpoint;
    private final Tokenizer tokenizer;
    private final PromptEncoder encoder;
    private final Fallback fallback;
    private volatile Backend backend;
    private volatile MoeModel model;

    /**
     * What to do when a GPU runs out of memory.
     *
     * @param allowed    false: throw the {@link DeviceOutOfMemoryException} instead of moving to the CPU
     * @param cpuThreads threads of the java backend moved to; 0 or less means all cores
     * @param notices    told {@link CpuFallback#notice} once on moving; called on the thread doing the work
     * @param wrapCpu    applied to the java backend moved to, so that whatever wrapped the first backend
     *                   (the workbench's profiler) keeps seeing the work after the move
     */
    public record Fallback(boolean allowed, int cpuThreads, Consumer<String> notices, UnaryOperator<Backend> wrapCpu) {
        public static final Fallback QUIET = new Fallback(true, 0, n -> { });

        public Fallback(boolean allowed, int cpuThreads, Consumer<String> notices) {
            this(allowed, cpuThreads, notices, UnaryOperator.identity());
        }

        private Backend openCpu() {
            return wrapCpu.apply(Backends.open("java", cpuThreads));
        }
    }

    private LoadedModel(Path dir, Checkpoint checkpoint, Backend backend, MoeModel model, Tokenizer tokenizer, Fallback fallback) {
        this.dir = dir;
        this.checkpoint = checkpoint;
        this.backend = backend;
        this.model = model;
        this.tokenizer = tokenizer;
        this.fallback = fallback;
        this.encoder = new PromptEncoder(tokenizer, model.config().vocabSize());
    }

    /**
     * @param backendName as {@code --backend} takes it: java, opencl, ptx or auto
     * @throws io.moescope.files.CheckpointException for a folder that is not a loadable model
     */
    public static LoadedModel open(Path dir, String backendName) {
        return open(dir, Backends.open(backendName, 0), Fallback.QUIET);
    }

    /** As above on a backend the caller opened; it is closed with this model. */
    public static LoadedModel open(Path dir, Backend backend) {
        return open(dir, backend, Fallback.QUIET);
    }

    /** As above, telling (or refusing, as {@code fallback} says) a move to the CPU when the GPU is full. */
    public static LoadedModel open(Path dir, Backend backend, Fallback fallback) {
        Checkpoint ckpt;
        try {
            ckpt = Checkpoint.open(dir);
        } catch (RuntimeException e) {
            backend.close();
            throw e;
        }
        Tokenizer tok = null;
        Backend on = backend;
        try {
            MoeModel model;
            try {
                model = ModelLoader.load(ckpt, on);
            } catch (DeviceOutOfMemoryException e) {
                if (!fallback.allowed() || isCpu(on)) throw e;
                on.close();
                CpuFallback.releaseDevice();
                on = fallback.openCpu();
                fallback.notices().accept(CpuFallback.notice(e));
                model = ModelLoader.load(ckpt, on);
            }
            if (ckpt.tokenizerFile().isPresent()) tok = Tokenizer.load(ckpt.tokenizerFile().get());
            return new LoadedModel(dir, ckpt, on, model, tok, fallback);
        } catch (RuntimeException | Error e) {
            if (tok != null) tok.close();
            on.close();
            ckpt.close();
            throw e;
        }
    }

    public Path dir() {
        return dir;
    }

    public Checkpoint checkpoint() {
        return checkpoint;
    }

    /** The model as it is now; after a fallback to the CPU, a new one. Prefer {@link #onDevice}, which falls back. */
    public MoeModel model() {
        return model;
    }

    public ModelConfig config() {
        return model.config();
    }

    /** The backend in use now: after a fallback, java whatever was asked. */
    public String backendName() {
        return backend.name();
    }

    /** The device of the backend in use now; asks the backend, so call it off the FX thread. */
    public DeviceInfo device() {
        return backend.device();
    }

    public Optional<Tokenizer> tokenizer() {
        return Optional.ofNullable(tokenizer);
    }

    public Prompt encode(String text) {
        return encoder.encode(text);
    }

    /** Display text of one token id: the tokenizer's decoding, or the id itself. */
    public String tokenText(int id) {
        return encoder.text(id);
    }

    /** Encodes the text and analyses it, within this JVM's {@link RunLimits#current() limits}. */
    public Analysis analyse(String text) {
        return analyse(encode(text));
    }

    /** Analyses an encoded prompt within this JVM's {@link RunLimits#current() limits}. */
    public Analysis analyse(Prompt p) {
        checkLimits(p.ids().length, null);
        return onDevice(m -> AnalysisService.analyse(m, p.ids(), p.tokens()));
    }

    /**
     * Analyses an encoded prompt within the given limits.
     *
     * @throws CheckpointException naming the model folder, with the numbers, when the prompt is longer
     *                             than the limit or the run's {@link MemoryEstimate} does not fit; nothing runs then
     */
    public Analysis analyse(Prompt p, RunLimits limits) {
        checkLimits(p.ids().length, limits);
        return onDevice(m -> AnalysisService.analyse(m, p.ids(), p.tokens()));
    }

    /**
     * Refuses a run of {@code tokens} tokens that exceeds the limits, before it starts. The weights
     * are loaded already (their heap is counted as in use), so only what the run adds is estimated.
     *
     * @param limits null: this JVM's current limits; a refusal then first asks for a collection and
     *               measures again, since the heap in use may be garbage of earlier runs
     */
    public void checkLimits(int tokens, RunLimits limits) {
        checkLimits(tokens, limits, false);
    }

    /** As above, for a run that also computes gradients when {@code grads} is true. */
    public void checkLimits(int tokens, RunLimits limits, boolean grads) {
        MemoryEstimate need = MemoryEstimate.of(config(), checkpoint.dtypeCounts(), tokens, grads).withoutWeightCopies();
        if (limits != null) {
            limits.checkPrompt(dir, tokens);
            limits.checkMemory(dir, need);
            return;
        }
        RunLimits now = RunLimits.current();
        now.checkPrompt(dir, tokens);
        try {
            now.checkMemory(dir, need);
        } catch (CheckpointException tooLarge) {
            RunLimits.afterCollecting().checkMemory(dir, need);
        }
    }

    /**
     * Runs work on the model. When the GPU runs out of device memory, the model moves to the CPU (as
     * the {@link Fallback} given on opening allows) and the work runs again there, so it must not
     * keep anything of its first try. One run at a time.
     */
    public synchronized <T> T onDevice(Function<MoeModel, T> work) {
        try {
            return work.apply(model);
        } catch (DeviceOutOfMemoryException e) {
            if (!fallback.allowed() || isCpu(backend)) throw e;
            moveToCpu(e);
            return work.apply(model);
        }
    }

    private void moveToCpu(DeviceOutOfMemoryException why) {
        Backend gpu = backend;
        Backend cpu = fallback.openCpu();
        model = null;
        gpu.close();
        CpuFallback.releaseDevice();
        try {
            model = ModelLoader.load(checkpoint, cpu);
        } catch (RuntimeException | Error e) {
            cpu.close();
            e.addSuppressed(why);
            throw e;
        }
        backend = cpu;
        fallback.notices().accept(CpuFallback.notice(why));
    }

    private static boolean isCpu(Backend b) {
        return "java".equals(b.name());
    }

    @Override
    public void close() {
        if (tokenizer != null) tokenizer.close();
        backend.close();
        checkpoint.close();
    }
}
