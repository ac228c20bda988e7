/**
 * Colour: the expert palette, colour scales (linear, log, diverging) and heatmap rasters as ARGB
 * pixels, shared by the off-screen report figures and the workbench's heatmaps, so that a figure
 * and the view it comes from colour a value the same way.
 */
package io.moescope.report.heatmap;
