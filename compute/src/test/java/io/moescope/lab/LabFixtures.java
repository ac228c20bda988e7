package io.moescope.lab;

import io.moescope.backend.java.JavaBackend;
import io.moescope.checkpoint.Checkpoint;
import io.moescope.model.ModelConfig;
import io.moescope.model.ModelLoader;
import io.moescope.model.MoeModel;
import io.moescope.model.RandomModel;
import io.moescope.model.RandomWeights;
import io.moescope.testing.Conformance;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Small random models of the conformance configs, and the lab over them. */
final class LabFixtures {
    private LabFixtures() {}

    static final long SEED = 11;
    /** Wider than transformers' 0.02, so that routers and attention have clear preferences. */
    static final double STD = 0.15;

    static ModelConfig config(String conformanceModel) {
        try (Checkpoint c = Checkpoint.open(Conformance.model(conformanceModel))) {
            return ModelLoader.config(c);
        }
    }

    static LabService lab(String conformanceModel) {
        ModelConfig cfg = config(conformanceModel);
        MoeModel m = RandomModel.create(cfg, new JavaBackend(1), SEED, STD);
        return new LabService(m, new RandomWeights(SEED, STD));
    }

    static int[] ids(int n, int vocab, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) ids[i] = r.nextInt(vocab);
        return ids;
    }

    static List<String> labels(int[] ids) {
        List<String> l = new ArrayList<>();
        for (int id : ids) l.add("t" + id);
        return l;
    }
}
