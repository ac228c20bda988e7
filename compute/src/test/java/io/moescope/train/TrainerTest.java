package io.moescope.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.moescope.backend.java.JavaBackend;
import io.moescope.checkpoint.Checkpoint;
import io.moescope.model.ModelLoader;
import io.moescope.model.MoeModel;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A text with structure to learn: a repeating phrase with a little noise. */
    private static int[] corpus() {
        int[] ids = new int[6000];
        java.util.SplittableRandom r = new java.util.SplittableRandom(5);
        int[] phrase = {3, 9, 14, 27, 9, 31, 40, 2};
        for (int i = 0; i < ids.length; i++) ids[i] = r.nextInt(10) == 0 ? r.nextInt(48) : phrase[i % phrase.length];
        return ids;
    }

    private static TrainingConfig config(String modelType, int saveEvery, double biasRate) throws Exception {
        ObjectNode model = (ObjectNode) JSON.readTree(switch (modelType) {
            case "mixtral" -> """
                {"model_type":"mixtral","vocab_size":48,"hidden_size":32,"intermediate_size":32,"num_hidden_layers":2,
                 "num_attention_heads":4,"num_key_value_heads":2,"num_local_experts":4,"num_experts_per_tok":2,
                 "router_aux_loss_coef":0.01,"max_position_embeddings":64,"rms_norm_eps":1e-6,"initializer_range":0.05}""";
            default -> """
                {"model_type":"deepseek_v3","vocab_size":48,"hidden_size":32,"intermediate_size":48,"moe_intermediate_size":16,
                 "num_hidden_layers":2,"num_attention_heads":2,"num_key_value_heads":2,"q_lora_rank":null,"kv_lora_rank":16,
                 "qk_nope_head_dim":8,"qk_rope_head_dim":8,"v_head_dim":8,"n_routed_experts":8,"n_shared_experts":1,
                 "num_experts_per_tok":2,"n_group":2,"topk_group":1,"norm_topk_prob":true,"routed_scaling_factor":1.0,
                 "first_k_dense_replace":1,"max_position_embeddings":64,"initializer_range":0.05}""";
        });
        ObjectNode t = JSON.createObjectNode().put("seq_len", 16).put("batch_size", 2).put("learning_rate", 3e-3)
                .put("warmup_steps", 2).put("log_every", 1).put("save_every", saveEvery).put("keep_last", 10)
                .put("bias_update_rate", biasRate).put("held_out_fraction", 0.1);
        return TrainingConfig.parse(Path.of("config.json"), model, t);
    }

    private static Trainer.Summary train(TrainingConfig cfg, Path out, int steps, boolean resume, int stopAfter) {
        var quiet = new PrintStream(new ByteArrayOutputStream());
        int[] calls = {0};
        try (var b = new JavaBackend(2)) {
            return new Trainer(cfg, TokenDataset.split(corpus(), cfg.heldOutFraction()), out, Optional.empty(), b, quiet)
                    .run(steps, resume, () -> ++calls[0] >= stopAfter);
        }
    }

    private static List<Double> losses(Path out) throws Exception {
        return TrainingLog.read(out.resolve("training_log.jsonl")).stream().map(m -> ((Number) m.get("loss")).doubleValue()).toList();
    }

    @Test
    void learnsAndBeatsTheUnigramBaseline(@TempDir Path out) throws Exception {
        Trainer.Summary s = train(config("mixtral", 100, 0), out, 40, false, Integer.MAX_VALUE);
        List<Double> loss = losses(out);
        assertEquals(40, loss.size());
        assertTrue(loss.getLast() < loss.getFirst() - 1.0, "loss fell from " + loss.getFirst() + " to " + loss.getLast());
        assertTrue(s.heldOutLoss() < s.unigramHeldOutLoss(), s.heldOutLoss() + " vs unigram " + s.unigramHeldOutLoss());
        Map<String, Object> row = TrainingLog.read(out.resolve("training_log.jsonl")).getLast();
        for (String key : List.of("loss", "lr", "grad_norm", "aux_loss", "expert_load", "grad_norms", "router_entropy", "tokens_per_s")) {
            assertTrue(row.containsKey(key), "log row has " + key);
        }
        // The checkpoint is an HF folder that loads back and reproduces the held-out loss.
        Path ckpt = s.lastCheckpoint();
        assertTrue(Files.exists(ckpt.resolve("config.json")) && Files.exists(ckpt.resolve("model.safetensors")));
        try (Checkpoint c = Checkpoint.open(ckpt); var b = new JavaBackend(2)) {
            MoeModel reloaded = ModelLoader.load(c, b);
            double loss2 = Trainer.heldOutLoss(reloaded, TokenDataset.split(corpus(), 0.1), 16, 64);
            assertEquals(s.heldOutLoss(), loss2, 1e-5);
        }
    }

    @Test
    void lionWithGradientAccumulationLearnsToo(@TempDir Path out) throws Exception {
        TrainingConfig base = config("mixtral", 100, 0);
        ObjectNode t = JSON.createObjectNode().put("seq_len", 16).put("batch_size", 1).put("grad_accumulation", 2)
                .put("optimizer", "lion").put("learning_rate", 1e-3).put("warmup_steps", 2).put("log_every", 1)
                .put("save_every", 100).put("held_out_fraction", 0.1);
        TrainingConfig lion = TrainingConfig.parse(Path.of("config.json"), base.model(), t);
        assertEquals(32, lion.tokensPerStep());
        train(lion, out, 30, false, Integer.MAX_VALUE);
        List<Double> loss = losses(out);
        assertTrue(loss.getLast() < loss.getFirst() - 0.5, "Lion: loss fell from " + loss.getFirst() + " to " + loss.getLast());
    }

    @Test
    void resumingContinuesTheSameLossCurve(@TempDir Path tmp) throws Exception {
        TrainingConfig cfg = config("deepseek_v3", 5, 1e-3);
        Path straight = tmp.resolve("straight"), broken = tmp.resolve("broken");
        train(cfg, straight, 12, false, Integer.MAX_VALUE);
        train(cfg, broken, 12, false, 7);        // stops after step 7 (and saves a checkpoint there)
        assertEquals(7, losses(broken).size());
        train(cfg, broken, 12, true, Integer.MAX_VALUE);
        List<Double> a = losses(straight), b = losses(broken);
        assertEquals(a.size(), b.size());
        // Equal up to the last bits: the Vector API sums lanes in another order before the JIT compiles a kernel.
        for (int i = 0; i < a.size(); i++) assertEquals(a.get(i), b.get(i), 1e-4, "loss at step " + (i + 1));
    }
}
