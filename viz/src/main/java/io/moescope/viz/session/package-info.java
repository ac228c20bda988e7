/**
 * What outlives a run of the workbench: sessions (saved, opened, autosaved and restored after a
 * crash, by {@link io.moescope.viz.session.SessionKeeper}) and the recent models. Above the views,
 * whose settings a session holds; below the workbench, which it reaches through
 * {@link io.moescope.viz.session.SessionKeeper.Window}.
 */
package io.moescope.viz.session;
