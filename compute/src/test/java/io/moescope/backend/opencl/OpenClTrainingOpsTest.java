package io.moescope.backend.opencl;

import static io.moescope.backend.opencl.Twin.compare;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The optimiser and gradient-norm operations against the Java reference. */
class OpenClTrainingOpsTest {

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 33, 5000})
    void scaleFillAndSumOfSquares(int n) {
        Random rnd = new Random(n);
        Twin x = Twin.random(rnd, 2, n);
        compare("scale", b -> {
            b.scale(x.on(b), -0.37f);
            return x.on(b);
        }, 0);
        double want = References.java().sumOfSquares(x.on(References.java()));
        double got = OpenClTesting.backend().sumOfSquares(x.on(OpenClTesting.backend()));
        assertEquals(want, got, 1e-12 * want, "sumOfSquares");
        compare("fill", b -> {
            b.fill(x.on(b), 0.25f);
            return x.on(b);
        }, 0);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 33, 1000})
    void adamWOverSeveralSteps(int n) {
        Random rnd = new Random(n);
        Twin p = Twin.random(rnd, 1, n), m = Twin.random(rnd, 0, n), v = Twin.random(rnd, 0, n);
        for (int step = 1; step <= 3; step++) {
            Twin g = Twin.random(rnd, 1, n);
            int s = step;
            compare("adamW param, step " + step, b -> {
                b.adamW(p.on(b), g.on(b), m.on(b), v.on(b), 1e-2f, 0.9f, 0.999f, 1e-8f, 0.1f, s);
                return p.on(b);
            }, 1e-6);
            compare("adamW m", b -> m.on(b), 1e-6);
            compare("adamW v", b -> v.on(b), 1e-6);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 33, 1000})
    void lionOverSeveralSteps(int n) {
        Random rnd = new Random(n);
        Twin p = Twin.random(rnd, 1, n), m = Twin.random(rnd, 0.1f, n);
        for (int step = 1; step <= 3; step++) {
            Twin g = Twin.random(rnd, 1, n);
            compare("lion param, step " + step, b -> {
                b.lion(p.on(b), g.on(b), m.on(b), 1e-3f, 0.9f, 0.99f, 0.1f);
                return p.on(b);
            }, 1e-6);
            compare("lion m", b -> m.on(b), 1e-6);
        }
    }
}
