package io.moescope.lab;

import io.moescope.analysis.Analysis;

/** The baseline and a variant analysed on the same prompt, for the workbench's compare mode. */
public record Comparison(Mechanism mechanism, Analysis baseline, Analysis variant, VariantMetrics metrics) {}
