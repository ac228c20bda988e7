package io.moescope.backend;

/**
 * A router's decision, resident on the backend: for each of T tokens the k chosen experts
 * (int [T, k], best first) and the weights their outputs are mixed with ([T, k]).
 */
public record Routing(RouterSpec spec, Tensor index, Tensor weight) implements AutoCloseable {
    @Override
    public void close() {
        index.close();
        weight.close();
    }
}
