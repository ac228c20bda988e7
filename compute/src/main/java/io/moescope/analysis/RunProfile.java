package io.moescope.analysis;

import io.moescope.backend.profile.Profile;

/**
 * What one analysis cost, per operation, and where it ran: the Profile view's data.
 *
 * @param backend the backend's name (java, opencl, ptx): after a fallback, the one really used
 * @param device  the device's name, e.g. "CPU (amd64)"
 * @param tokens  the analysed prompt's length
 */
public record RunProfile(String backend, String device, int tokens, Profile profile) {}
