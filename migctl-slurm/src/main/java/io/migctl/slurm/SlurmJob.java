package io.migctl.slurm;

import java.util.Objects;

/**
 * A job on a node, as {@code squeue} reports it.
 *
 * @param id the job id, e.g. {@code 17} (an array task reads {@code 17_3})
 * @param state its state word: {@code RUNNING}, {@code COMPLETING}, {@code SUSPENDED}, …
 * @param user who submitted it
 * @param name its name
 */
public record SlurmJob(String id, String state, String user, String name) {

  public SlurmJob {
    Objects.requireNonNull(id, "id");
    if (id.isBlank()) {
      throw new IllegalArgumentException("a Slurm job needs an id; it is blank");
    }
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(name, "name");
  }
}
