/**
 * Reports and their files. {@link io.moescope.report.export.ReportBuilder} and
 * {@link io.moescope.report.export.ProfileReport} gather an analysis's figures, tables and JSON
 * into a {@link io.moescope.report.export.ReportContent}; the writers lay that content out as HTML
 * or PDF ({@link io.moescope.report.export.Reports} picks by extension), and single charts as SVG
 * or PNG. Everything draws with AWT off-screen, so {@code moescope report} needs no display.
 */
package io.moescope.report.export;
