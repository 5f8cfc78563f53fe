package io.migctl.core.workload;

/**
 * A workload file is wrong. The message starts with where (the file and line, when known), then the
 * path to the bad element, e.g. {@code workload.yml:14: jobs[2].command: is a plain string; …}, and
 * says how to fix it.
 */
public final class WorkloadException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  private final String path;
  private final String problem;

  /**
   * @param path the element, e.g. {@code jobs[2].command}; empty for the whole file
   * @param problem what is wrong and how to fix it
   */
  public WorkloadException(String path, String problem) {
    this("", path, problem);
  }

  private WorkloadException(String where, String path, String problem) {
    super(
        (where.isEmpty() ? "" : where + ": ") + (path.isEmpty() ? problem : path + ": " + problem));
    this.path = path;
    this.problem = problem;
  }

  /** Where in the file: {@code jobs[2].command}, or empty for the whole file. */
  public String path() {
    return path;
  }

  /** What is wrong, without the path. */
  public String problem() {
    return problem;
  }

  /**
   * The same error with its place in front: {@code where} is a file name, maybe with a line ({@code
   * examples/workload.yml:14}).
   */
  public WorkloadException at(String where) {
    WorkloadException e = new WorkloadException(where, path, problem);
    e.initCause(this);
    return e;
  }
}
