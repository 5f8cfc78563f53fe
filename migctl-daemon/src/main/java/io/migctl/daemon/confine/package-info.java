/**
 * What a running job may touch: the Unix user it runs as, its cgroup (device nodes, host memory,
 * CPU, processes) and so its MIG device's nodes only. {@link io.migctl.daemon.confine.Confinement}
 * is the port; the daemon's assembly chooses cgroup v1, a systemd scope, or none, and says which.
 */
package io.migctl.daemon.confine;
