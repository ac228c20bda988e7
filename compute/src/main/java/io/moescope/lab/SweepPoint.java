package io.moescope.lab;

/** One value of a sweep: the variant it made and what it measured over the whole text. */
public record SweepPoint(double value, Mechanism mechanism, VariantMetrics metrics) {}
