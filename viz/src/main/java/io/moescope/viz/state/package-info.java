/**
 * What the whole window shares: the observable state (model, analysis, results, prompt), the
 * user's selection and the notices. The bottom of viz: views, the lab, sessions and the workbench
 * read and change it, and it uses no other viz package, so a view never reaches up to the window.
 */
package io.moescope.viz.state;
