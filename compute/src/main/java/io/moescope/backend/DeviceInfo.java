package io.moescope.backend;

/** What `moescope devices` lists for a device. */
public record DeviceInfo(String backend, String name, long memoryBytes, int computeUnits, String details) {}
