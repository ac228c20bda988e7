/**
 * The mechanism lab's results for people and programs: a comparison's and a sweep's tables, JSON,
 * charts and report sections, and the parsing of sweep values as typed on the command line or in
 * the workbench. The top package of the report module.
 */
package io.moescope.report.lab;
