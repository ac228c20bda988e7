/**
 * An analysis's profile as rows and a summary line, for the report's profile page and the
 * workbench's Profile view alike. The lowest package of the report module: it reads compute only.
 */
package io.moescope.report.profile;
