/**
 * The environment use cases the command line and the daemon share: which backend builds a spec and
 * building it into the store ({@link io.migctl.env.builds.EnvironmentBuilds}), and which builds may
 * be removed ({@link io.migctl.env.builds.EnvironmentGc}). Above the backends and the store, so
 * that they never depend back on it.
 */
package io.migctl.env.builds;
