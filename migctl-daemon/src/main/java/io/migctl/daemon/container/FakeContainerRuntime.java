package io.migctl.daemon.container;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A container engine for tests and demos that runs each job's command on the host, unchanged, with
 * the container's variables, and remembers what it was asked: the jobs it ran and the containers it
 * was told to remove, in order.
 */
public final class FakeContainerRuntime implements ContainerRuntime {

  private final List<ContainerJob> runs = new ArrayList<>();
  private final List<String> removed = new ArrayList<>();

  @Override
  public String description() {
    return "fake (commands run on the host)";
  }

  @Override
  public Optional<String> unavailable() {
    return Optional.empty();
  }

  @Override
  public synchronized Invocation run(ContainerJob job) {
    runs.add(job);
    return new Invocation(job.command(), job.variables());
  }

  @Override
  public synchronized void remove(String name) {
    removed.add(name);
  }

  /**
   * The jobs {@link #run} was asked for, first first: those launched and those a submission's
   * checks measured.
   */
  public synchronized List<ContainerJob> runs() {
    return List.copyOf(runs);
  }

  /** The containers {@link #remove} was asked to remove, first first. */
  public synchronized List<String> removed() {
    return List.copyOf(removed);
  }
}
