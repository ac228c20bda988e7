package io.moescope.analysis;

/**
 * How tokens move between experts from one MoE layer to the next: counts[a][b] tokens had top-1
 * expert a in {@code fromLayer} and top-1 expert b in {@code toLayer}. The Sankey view draws this.
 */
public record ExpertFlow(int fromLayer, int toLayer, long[][] counts) {}
