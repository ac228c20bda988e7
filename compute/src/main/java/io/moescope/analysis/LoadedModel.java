package io.moescope.analysis;

import io.moescope.backend.Backend;
import io.moescope.backend.Backends;
import io.moescope.checkpoint.Checkpoint;
import io.moescope.model.ModelConfig;
import io.moescope.model.ModelLoader;
import io.moescope.model.MoeModel;
import io.moescope.tokenizer.Tokenizer;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A model folder opened for analysis: the checkpoint (which must stay open, since float32 weights
 * are used straight from the mapped file), the model on its backend, and the tokenizer if the
 * folder has one. Closing releases all three.
 */
public final class LoadedModel implements AutoCloseable {
    private final Path dir;
    private final Checkpoint checkpoint;
    private final Backend backend;
    private final MoeModel model;
    private final Tokenizer tokenizer;
    private final PromptEncoder encoder;

    private LoadedModel(Path dir, Checkpoint checkpoint, Backend backend, MoeModel model, Tokenizer tokenizer) {
        this.dir = dir;
        this.checkpoint = checkpoint;
        this.backend = backend;
        this.model = model;
        this.tokenizer = tokenizer;
        this.encoder = new PromptEncoder(tokenizer, model.config().vocabSize());
    }

    /**
     * @param backendName as {@code --backend} takes it: java, opencl, ptx or auto
     * @throws io.moescope.checkpoint.CheckpointException for a folder that is not a loadable model
     */
    public static LoadedModel open(Path dir, String backendName) {
        return open(dir, Backends.open(backendName, 0));
    }

    /** As above on a backend the caller opened; it is closed with this model. */
    public static LoadedModel open(Path dir, Backend backend) {
        Checkpoint ckpt;
        try {
            ckpt = Checkpoint.open(dir);
        } catch (RuntimeException e) {
            backend.close();
            throw e;
        }
        Tokenizer tok = null;
        try {
            MoeModel model = ModelLoader.load(ckpt, backend);
            if (ckpt.tokenizerFile().isPresent()) tok = Tokenizer.load(ckpt.tokenizerFile().get());
            return new LoadedModel(dir, ckpt, backend, model, tok);
        } catch (RuntimeException | Error e) {
            if (tok != null) tok.close();
            backend.close();
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

    public MoeModel model() {
        return model;
    }

    public ModelConfig config() {
        return model.config();
    }

    public String backendName() {
        return backend.name();
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

    /** Encodes the text and analyses it. */
    public Analysis analyse(String text) {
        Prompt p = encode(text);
        return AnalysisService.analyse(model, p.ids(), p.tokens());
    }

    @Override
    public void close() {
        if (tokenizer != null) tokenizer.close();
        backend.close();
        checkpoint.close();
    }
}
