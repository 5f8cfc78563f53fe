package io.migctl.slurm;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A Slurm cluster kept in memory: nodes with their configured generic resources, jobs placed on
 * them by hand, drain and resume as the controller does them, and daemon restarts recorded rather
 * than run. A restart makes the {@code Gres} given by {@link #configure} the node's, as a real
 * controller reads it from the files when it restarts. {@link #failNextRestart} makes the next
 * restart fail at a step, to test what callers do then. Thread-safe.
 */
public final class InMemorySlurmController implements SlurmController {

  private final SlurmVersion version;
  private final Map<String, Node> nodes = new LinkedHashMap<>();
  private final List<DaemonRestart.Step> stepsRun = new ArrayList<>();
  private Optional<DaemonRestart.Action> failAt = Optional.empty();

  /** A cluster without nodes, whose controller reports {@code version}. */
  public InMemorySlurmController(SlurmVersion version) {
    this.version = Objects.requireNonNull(version, "version");
  }

  private static final class Node {
    String gres;
    String configuredGres;
    boolean drain;
    Optional<String> reason = Optional.empty();
    final Map<String, SlurmJob> jobs = new LinkedHashMap<>();

    Node(String gres) {
      this.gres = gres;
      this.configuredGres = gres;
    }
  }

  /** Adds an idle node with {@code gres} (e.g. {@code gpu:1g.5gb:2}), or replaces it. */
  public synchronized void addNode(String name, String gres) {
    nodes.put(name, new Node(gres));
  }

  /** Writes the node's new {@code Gres}; the controller takes it at the next daemon restart. */
  public synchronized void configure(String name, String gres) {
    find(name).configuredGres = gres;
  }

  /** Starts {@code job} on the node. */
  public synchronized void start(String name, SlurmJob job) {
    find(name).jobs.put(job.id(), job);
  }

  /** Ends the job {@code id} on the node; nothing when it is not there. */
  public synchronized void end(String name, String id) {
    find(name).jobs.remove(id);
  }

  /** Makes the next restart fail at {@code action}, the steps before it done. */
  public synchronized void failNextRestart(DaemonRestart.Action action) {
    failAt = Optional.of(action);
  }

  /** Every restart step run so far, oldest first. */
  public synchronized List<DaemonRestart.Step> stepsRun() {
    return List.copyOf(stepsRun);
  }

  @Override
  public SlurmVersion version() {
    return version;
  }

  @Override
  public synchronized SlurmNode node(String name) {
    Node n = find(name);
    List<String> states = new ArrayList<>();
    states.add(n.jobs.isEmpty() ? "IDLE" : "MIXED");
    if (n.drain) {
      states.add("DRAIN");
    }
    return new SlurmNode(name, states, n.reason, n.gres, "", n.jobs.size());
  }

  @Override
  public synchronized void drain(String name, String reason) {
    if (reason.isBlank()) {
      throw new IllegalArgumentException(
          "draining node " + name + " needs a reason that says who drained it and why");
    }
    Node n = find(name);
    n.drain = true;
    n.reason = Optional.of(reason);
  }

  @Override
  public synchronized void resume(String name) {
    Node n = find(name);
    n.drain = false;
    n.reason = Optional.empty();
  }

  @Override
  public synchronized List<SlurmJob> jobsOn(String name) {
    return List.copyOf(find(name).jobs.values());
  }

  @Override
  public synchronized List<DaemonRestart.Step> restartDaemons(DaemonRestart restart) {
    List<DaemonRestart.Step> done = new ArrayList<>();
    for (DaemonRestart.Step step : restart.steps()) {
      if (failAt.equals(Optional.of(step.action()))) {
        failAt = Optional.empty();
        throw new SlurmControlException(
            "could not " + step.action().words() + ": " + step.display() + " failed (injected)");
      }
      if (step.action() == DaemonRestart.Action.RESTART_SLURMCTLD) {
        nodes.values().forEach(n -> n.gres = n.configuredGres);
      }
      stepsRun.add(step);
      done.add(step);
    }
    return List.copyOf(done);
  }

  private Node find(String name) {
    Node n = nodes.get(name);
    if (n == null) {
      throw new SlurmControlException(
          "Slurm has no node " + name + "; nodes: " + String.join(", ", nodes.keySet()));
    }
    return n;
  }
}
