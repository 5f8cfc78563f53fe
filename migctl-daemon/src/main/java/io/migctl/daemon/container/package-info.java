/**
 * Running a job's command in a container that sees only the job's MIG device: the {@link
 * io.migctl.daemon.container.ContainerRuntime} port turns an attempt into the argument list of a
 * container engine's client ({@code docker run}, {@code podman run}), which the attempt's
 * supervisor runs like any other command, so that cancel, timeouts, logs and crash recovery work
 * unchanged.
 */
package io.migctl.daemon.container;
