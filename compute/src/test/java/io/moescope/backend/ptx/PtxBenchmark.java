package io.moescope.backend.ptx;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.moescope.backend.DeviceMemoryUse;
import io.moescope.backend.Tensor;
import io.moescope.grad.Backprop;
import io.moescope.grad.Gradients;
import io.moescope.model.ModelConfig;
import io.moescope.model.MoeModel;
import io.moescope.model.RandomModel;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Times the ptx backend on a benchmark config (seeded random weights), run on the GPU machine:
 * java ... io.moescope.backend.ptx.PtxBenchmark CONFIG.json [SEQ [WARMUP RUNS]]. Prints, per pass, the
 * median of the timed runs after warm-up, each run ending in a device synchronisation:
 * <ul>
 * <li>lean forward / forward+backward: the work PyTorch's timed passes do (loss on the device);
 * <li>MoeModel.forward and Backprop.run: the project's own paths, which also bring logits or norms to
 *     the host and leave intermediates to the garbage collector.
 * </ul>
 * Then checks the lean passes against those paths, and prints a per-kernel profile of one lean pass.
 */
public final class PtxBenchmark {
    private PtxBenchmark() {}

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        int seq = args.length > 1 ? Integer.parseInt(args[1]) : 2048;
        int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        int runs = args.length > 3 ? Integer.parseInt(args[3]) : 20;
        ModelConfig cfg = ModelConfig.parse(file, new ObjectMapper().readTree(file.toFile()));
        long t0 = System.nanoTime();
        PtxBackend b = PtxBackend.open();
        System.out.printf("device: %s (%s); backend up in %.1f s%n", b.device().name(), b.device().details(), (System.nanoTime() - t0) / 1e9);
        MoeModel model = RandomModel.create(cfg, b, 42);
        SplittableRandom rnd = new SplittableRandom(42);
        int[] ids = new int[seq];
        for (int i = 0; i < seq; i++) ids[i] = rnd.nextInt(cfg.vocabSize());
        Tensor idT = b.uploadInts(ids, seq);
        LeanMixtral lean = new LeanMixtral(model);
        Gradients grads = Gradients.zeros(model);

        crossCheck(b, model, lean, ids, idT);

        double tok = seq / 1000.0;
        double fwd = time("lean forward", runs, warmup, b, () -> lean.forward(idT, seq).close());
        double fb = time("lean forward+backward", runs, warmup, b, () -> lean.forwardBackward(idT, seq, grads).close());
        time("MoeModel.forward (+64 MB logits download)", runs, warmup, b, () -> model.forward(ids, MoeModel.Probes.NONE));
        Gradients grads2 = Gradients.zeros(model);
        time("Backprop.run (project path)", runs, warmup, b, () -> Backprop.run(model, ids, grads2, Backprop.Options.CROSS_ENTROPY));
        System.out.printf("RESULT ptx seq %d: forward %.2f ms (%.0f k tok/s), forward+backward %.2f ms (%.0f k tok/s)%n",
                seq, fwd, tok / fwd * 1000, fb, tok / fb * 1000);

        gemmRate(b, 2048, 8192, 512);
        gemmRate(b, 4096, 4096, 4096);
        profile(b, "lean forward", () -> lean.forward(idT, seq).close());
        profile(b, "lean forward+backward", () -> lean.forwardBackward(idT, seq, grads).close());
        DeviceMemoryUse mem = b.deviceMemory().orElseThrow();
        System.out.printf("device memory: %.0f MB live, %.0f MB cached, %.0f MB peak%n", mem.liveBytes() / 1e6, mem.cachedBytes() / 1e6,
                mem.peakBytes() / 1e6);
    }

    /** The lean passes compute what the project's paths compute: same loss, same gradients. */
    private static void crossCheck(PtxBackend b, MoeModel model, LeanMixtral lean, int[] ids, Tensor idT) {
        double want = model.forward(ids, MoeModel.Probes.NONE).loss();
        float got = b.download(lean.forward(idT, ids.length))[0];
        Gradients ref = Backprop.gradients(model, ids);
        Gradients mine = Gradients.zeros(model);
        lean.forwardBackward(idT, ids.length, mine).close();
        double worst = 0;
        String worstName = "";
        for (String n : ref.names()) {
            float[] w = ref.download(n), g = mine.download(n);
            double max = 0, diff = 0;
            for (int i = 0; i < w.length; i++) {
                max = Math.max(max, Math.abs(w[i]));
                diff = Math.max(diff, Math.abs(w[i] - g[i]));
            }
            if (diff / Math.max(max, 1e-30) > worst) {
                worst = diff / Math.max(max, 1e-30);
                worstName = n;
            }
        }
        System.out.printf("check: loss %.6f (MoeModel.forward %.6f); lean vs Backprop gradients, worst max|diff|/max|grad| %.2e (%s)%n",
                got, want, worst, worstName);
    }

    private static double time(String what, int runs, int warmup, PtxBackend b, Runnable pass) {
        for (int i = 0; i < warmup; i++) pass.run();
        b.synchronize();
        double[] ms = new double[runs];
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            pass.run();
            b.synchronize();
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        double[] sorted = ms.clone();
        Arrays.sort(sorted);
        double median = runs % 2 == 1 ? sorted[runs / 2] : (sorted[runs / 2 - 1] + sorted[runs / 2]) / 2;
        System.out.printf("%-44s median %8.2f ms  (min %.2f, max %.2f, %d runs after %d warm-up)%n", what, median, sorted[0],
                sorted[runs - 1], runs, warmup);
        return median;
    }

    private static void gemmRate(PtxBackend b, int T, int N, int K) {
        SplittableRandom r = new SplittableRandom(7);
        float[] x = new float[T * K], w = new float[N * K];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextDouble(-1, 1);
        for (int i = 0; i < w.length; i++) w[i] = (float) r.nextDouble(-1, 1);
        try (Tensor xt = b.upload(x, T, K); Tensor wt = b.upload(w, N, K)) {
            double ms = time("linear " + T + "x" + K + " * (" + N + "x" + K + ")^T", 10, 2, b, () -> b.linear(xt, wt, null).close());
            System.out.printf("  -> %.1f TFLOP/s fp32%n", 2.0 * T * N * K / (ms * 1e-3) / 1e12);
        }
    }

    private static void profile(PtxBackend b, String what, Runnable pass) {
        b.synchronize();
        b.profileKernels(true);
        pass.run();
        b.profileKernels(false);
        System.out.println("kernel profile of one " + what + " (device time per kernel, events around each launch):");
        for (String line : b.kernelProfile()) System.out.println("  " + line);
    }
}
