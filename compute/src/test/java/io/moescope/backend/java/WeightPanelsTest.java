package io.moescope.backend.java;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every register kernel of {@link WeightPanels}, whichever one this machine's default is, against
 * plain loops: gathered and repeated input rows, row ranges that start and end inside a kernel's
 * block, ragged last panels, bias, K not a multiple of the KC chunk, and an output with its own
 * offset and stride (as the experts write into their slice of a shared buffer).
 */
class WeightPanelsTest {

    @ParameterizedTest
    @CsvSource({"1,7,5", "13,40,13", "29,130,100", "64,300,64", "50,257,193", "23,512,16"})
    void everyKernelMatchesPlainLoops(int T, int K, int N) {
        Random r = new Random(T * 131L + K * 7L + N);
        float[] x = new float[T * K], w = new float[N * K], bias = new float[N];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        for (int i = 0; i < w.length; i++) w[i] = (float) r.nextGaussian();
        for (int i = 0; i < N; i++) bias[i] = (float) r.nextGaussian();
        // Rows 0..rows-1 of the product read x rows in a scrambled order, some twice; padded as callers do.
        int rows = T + 3, r0 = 2, r1 = rows - 1;
        int[] xRows = new int[rows + WeightPanels.MAX_ROWS];
        for (int i = 0; i < rows; i++) xRows[i] = r.nextInt(T) * K;
        int ldo = N + 5, oo = 3;
        for (WeightPanels.Kernel kernel : WeightPanels.Kernel.values()) {
            WeightPanels p = WeightPanels.pack(MemorySegment.ofArray(w), N, K, kernel);
            for (float[] b : new float[][]{null, bias}) {
                float[] out = new float[oo + rows * ldo];
                p.multiply(x, xRows, r0, r1, 0, p.panelCount(), out, oo, ldo, b);
                for (int i = 0; i < rows; i++) {
                    for (int j = 0; j < N; j++) {
                        double want = 0;
                        if (i >= r0 && i < r1) {
                            want = b == null ? 0 : b[j];
                            for (int k = 0; k < K; k++) want += (double) x[xRows[i] + k] * w[j * K + k];
                        }
                        assertEquals(want, out[oo + i * ldo + j], 1e-4 * Math.sqrt(K),
                                kernel + (b == null ? "" : " with bias") + ": out[" + i + ", " + j + "]");
                    }
                }
            }
        }
    }
}
