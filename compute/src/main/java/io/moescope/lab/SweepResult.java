package io.moescope.lab;

import java.util.List;

/**
 * A sweep over one mechanism's setting, each point measured against the unchanged model on the
 * same text.
 *
 * @param tokens tokens of text each point was measured on
 */
public record SweepResult(SweepKind kind, String modelName, long tokens, List<SweepPoint> points) {}
