/**
 * The analysis's charts as JFreeChart objects, built without a display: the workbench shows them
 * in a ChartPane, the report draws them to images or SVG. {@link io.moescope.report.chart.ChartStyle}
 * is the one place a chart's look (fonts, colours, axes) is set.
 */
package io.moescope.report.chart;
