package io.migctl.core.slurm;

import java.util.Objects;

/**
 * One difference between Slurm's view of a node's GPUs and the GPUs themselves, found by {@link
 * SlurmGresCheck}.
 *
 * @param kind what differs; it carries the severity
 * @param device what it is about: a {@code MIG-…} or {@code GPU-…} UUID, {@code Slurm GPU <i>} or
 *     {@code gpu:<type>}
 * @param message one sentence or two: what differs, what it does to jobs and how to fix it
 */
public record GresFinding(Kind kind, String device, String message) {

  public GresFinding {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(device, "device");
    Objects.requireNonNull(message, "message");
  }

  /** How bad a finding is, loudest first. */
  public enum Severity {
    /** Jobs can reach a device that is not theirs: the node is not safe to share. */
    CRITICAL,
    /** Jobs get the wrong device, a device that is gone, or the node cannot register. */
    ERROR,
    /** Untidy but harmless to jobs. */
    WARNING
  }

  /** The kinds of finding. */
  public enum Kind {
    /**
     * A device of the node is in no {@code gres.conf} record, so {@code ConstrainDevices} does not
     * guard its files: any job on the node can open it.
     */
    NOT_PROTECTED(Severity.CRITICAL),
    /** A {@code gres.conf} record whose files are no live device's. */
    STALE_RECORD(Severity.ERROR),
    /** Two {@code gres.conf} records for one device: two jobs may be given it at once. */
    DUPLICATE_RECORD(Severity.ERROR),
    /** A record of a live device with another type than the device's. */
    WRONG_TYPE(Severity.ERROR),
    /** The controller's {@code Gres=} counts a type otherwise than the GPUs or gres.conf do. */
    COUNT_MISMATCH(Severity.ERROR),
    /** The map gives a Slurm GPU another MIG UUID than the device Slurm hands out. */
    MAP_MISMATCH(Severity.ERROR),
    /** The map has a row for a GPU Slurm does not have. */
    MAP_EXTRA_ROW(Severity.WARNING);

    private final Severity severity;

    Kind(Severity severity) {
      this.severity = severity;
    }

    /** How bad this kind is. */
    public Severity severity() {
      return severity;
    }
  }

  /** How bad it is. */
  public Severity severity() {
    return kind.severity();
  }
}
