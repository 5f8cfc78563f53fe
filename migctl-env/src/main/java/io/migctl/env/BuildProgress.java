package io.migctl.env;

/**
 * Progress of a build: a phase, and how far along it is when the tool says ({@code fraction} in
 * 0..1), else -1.
 */
public record BuildProgress(String phase, double fraction) {}
