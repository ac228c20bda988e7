package io.moescope.analysis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;

/**
 * Runs a text file through a model chunk by chunk and adds up what {@link AnalysisService} derives
 * per chunk. Checks for cancellation between chunks, so a cancel takes effect within one forward pass.
 */
public final class BatchAnalysisService {
    private BatchAnalysisService() {}

    /**
     * @param chunkTokens tokens per forward pass (at least 2)
     * @throws CancellationException when {@code cancelled} turns true
     * @throws UncheckedIOException  when the file cannot be read
     */
    public static BatchAnalysis analyse(LoadedModel model, Path textFile, int chunkTokens,
                                        ProgressListener progress, BooleanSupplier cancelled) {
        if (chunkTokens < 2) throw new IllegalArgumentException("chunks need at least 2 tokens, got " + chunkTokens);
        String text = io.moescope.files.InputFiles.readUtf8(textFile, io.moescope.files.InputFiles.MAX_TEXT_BYTES);
        progress.progress(0, 1, "tokenizing " + textFile.getFileName());
        Prompt all = model.encode(text);
        int[] ids = all.ids();
        int chunks = Math.max(1, ids.length / chunkTokens);
        if (ids.length < 2) throw new IllegalArgumentException(textFile + ": fewer than 2 tokens of text");

        Accumulator acc = null;
        for (int c = 0; c < chunks; c++) {
            if (cancelled.getAsBoolean()) throw new CancellationException("cancelled after " + c + " of " + chunks + " chunks");
            // A trailing partial chunk is left out, so that every pass has the same capacity per expert.
            int from = c * chunkTokens, to = Math.min(ids.length, from + chunkTokens);
            int[] chunk = Arrays.copyOfRange(ids, from, to);
            Analysis a = model.onDevice(m -> AnalysisService.analyse(m, chunk, all.tokens().subList(from, to)));
            if (acc == null) acc = new Accumulator(a);
            acc.add(a);
            progress.progress(c + 1, chunks, "chunk " + (c + 1) + " of " + chunks);
        }
        return acc.result(textFile, chunkTokens);
    }

    /** Sums per-chunk figures; entropies are averaged over chunks, which all have the same length. */
    private static final class Accumulator {
        private final List<ExpertLoad> loads = new ArrayList<>();
        private final List<long[][]> co = new ArrayList<>();
        private final List<ExpertFlow> flows = new ArrayList<>();
        private final double[] routerEntropy;
        private final double[][] attention;
        private long tokens;

        Accumulator(Analysis first) {
            for (LayerRouting r : first.routing()) co.add(new long[r.experts()][r.experts()]);
            for (ExpertFlow f : first.flows()) flows.add(new ExpertFlow(f.fromLayer(), f.toLayer(), new long[f.counts().length][f.counts()[0].length]));
            routerEntropy = new double[first.routing().size()];
            double[][] e = first.attention().entropy();
            attention = new double[e.length][];
            for (int l = 0; l < e.length; l++) attention[l] = new double[e[l].length];
        }

        void add(Analysis a) {
            loads.add(a.load());
            tokens += a.tokenCount();
            for (int i = 0; i < a.routing().size(); i++) {
                LayerRouting r = a.routing().get(i);
                addInto(co.get(i), r.coActivation());
                routerEntropy[i] += r.meanEntropy() * r.tokens();
            }
            for (int i = 0; i < a.flows().size(); i++) addInto(flows.get(i).counts(), a.flows().get(i).counts());
            double[][] e = a.attention().entropy();
            for (int l = 0; l < e.length; l++) for (int h = 0; h < e[l].length; h++) attention[l][h] += e[l][h];
        }

        BatchAnalysis result(Path file, int chunkTokens) {
            for (int i = 0; i < routerEntropy.length; i++) routerEntropy[i] /= tokens;
            for (double[] row : attention) for (int h = 0; h < row.length; h++) row[h] /= loads.size();
            return new BatchAnalysis(file, tokens, chunkTokens, ExpertLoad.merge(loads), List.copyOf(loads), List.copyOf(co),
                    List.copyOf(flows), routerEntropy, new AttentionStats(attention));
        }

        private static void addInto(long[][] into, long[][] from) {
            for (int i = 0; i < into.length; i++) for (int j = 0; j < into[i].length; j++) into[i][j] += from[i][j];
        }
    }
}
