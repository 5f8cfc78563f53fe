package io.migctl.daemon.container;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The job runtime's port to a container engine. It starts nothing itself: {@link #run} gives the
 * engine client's argument list and environment for one attempt, and the attempt's supervisor runs
 * that client in the foreground, so the container's output reaches the job's logs, SIGTERM to the
 * client reaches the container (the clients forward it), and the client's exit status is the
 * container's. What a signal to the client cannot do — stop a container whose client was killed, or
 * one left behind by a daemon that crashed — {@link #remove} does.
 *
 * <p>Real side: {@link ContainerEngine} (Docker or Podman); {@link NoContainerRuntime} where no
 * engine is configured (jobs with an image are refused at submit). Test side: {@link
 * FakeContainerRuntime}. Chosen in {@code DaemonAssembly}.
 *
 * <p>Implementations may be called from any thread.
 */
public interface ContainerRuntime {

  /**
   * What the supervisor runs for an attempt.
   *
   * @param argv the engine client and its arguments, the job's command last
   * @param environment the client's complete environment: the container's variables, which the
   *     arguments name ({@code -e NAME}) without their values, so that no value shows in {@code ps}
   */
  record Invocation(List<String> argv, Map<String, String> environment) {
    public Invocation {
      argv = List.copyOf(argv);
      environment = Map.copyOf(environment);
    }
  }

  /** The engine in words for logs and {@code /api/v1/health}: {@code docker (unix:///…)}. */
  String description();

  /**
   * Why this runtime cannot run containers, with the way out; empty when it can. A job with an
   * image is refused at submit with this text.
   */
  Optional<String> unavailable();

  /**
   * The client invocation that runs {@code job} in the foreground and removes its container when it
   * ends.
   *
   * @throws IllegalStateException when {@link #unavailable()} is not empty
   */
  Invocation run(ContainerJob job);

  /**
   * Removes the container {@code name} whether it runs or not ({@code rm -f}): after the client was
   * killed, and for attempts that ended while the daemon was down. Returns at once; the removal may
   * finish later. A container that is already gone is not an error. Never throws.
   */
  void remove(String name);
}
