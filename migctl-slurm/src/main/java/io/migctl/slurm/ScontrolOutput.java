package io.migctl.slurm;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Reads what {@code scontrol -d show node -o NAME} and {@code squeue --format=%i|%T|%u|%j} print.
 * Pure; tested on output recorded from Slurm 22.05.
 */
final class ScontrolOutput {

  /**
   * The {@code squeue} format these readers expect: id, state, user, name (last: it may hold |).
   */
  static final String SQUEUE_FORMAT = "%i|%T|%u|%j";

  /** A space before a {@code Key=}: values such as {@code OS=Linux 6.1 #1 SMP} hold spaces. */
  private static final Pattern FIELD_START = Pattern.compile("\\s+(?=[A-Za-z][A-Za-z0-9_]*=)");

  /** Slurm appends {@code [user@time]} to a reason when it stores it. */
  private static final Pattern REASON_STAMP = Pattern.compile("\\s*\\[[^\\[\\]@]*@[^\\[\\]]*]$");

  private ScontrolOutput() {}

  /**
   * The node in one line of {@code scontrol -d show node -o}. {@code Reason=} is read to the end of
   * the line, where 22.05 prints it, since a reason may hold anything.
   *
   * @param runningJobs the number of jobs on it, which {@code scontrol} does not print
   * @throws IllegalArgumentException when there is no {@code NodeName=} or {@code State=}
   */
  static SlurmNode node(String output, int runningJobs) {
    String line =
        output
            .lines()
            .filter(l -> l.startsWith("NodeName="))
            .findFirst()
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "no NodeName= line in scontrol's output: \"" + output.strip() + "\""));
    Optional<String> reason = Optional.empty();
    int r = line.indexOf(" Reason=");
    if (r >= 0) {
      String text =
          REASON_STAMP.matcher(line.substring(r + " Reason=".length()).strip()).replaceAll("");
      reason = text.isEmpty() || text.equals("(null)") ? Optional.empty() : Optional.of(text);
      line = line.substring(0, r);
    }
    Map<String, String> fields = fields(line);
    String state = fields.get("State");
    if (state == null || state.isBlank()) {
      throw new IllegalArgumentException("no State= in scontrol's line: \"" + line + "\"");
    }
    return new SlurmNode(
        fields.get("NodeName"),
        List.of(state.split("\\+")),
        reason,
        gres(fields.getOrDefault("Gres", "")),
        gres(fields.getOrDefault("GresUsed", "")),
        runningJobs);
  }

  /** The jobs in {@code squeue --noheader --format=}{@value #SQUEUE_FORMAT}'s output. */
  static List<SlurmJob> jobs(String output) {
    List<SlurmJob> jobs = new ArrayList<>();
    for (String line : output.lines().filter(l -> !l.isBlank()).toList()) {
      String[] f = line.strip().split("\\|", 4);
      if (f.length < 4) {
        throw new IllegalArgumentException(
            "squeue printed \"" + line + "\"; expected id|state|user|name (" + SQUEUE_FORMAT + ")");
      }
      jobs.add(new SlurmJob(f[0], f[1], f[2], f[3]));
    }
    return List.copyOf(jobs);
  }

  private static Map<String, String> fields(String line) {
    Map<String, String> fields = new LinkedHashMap<>();
    for (String token : FIELD_START.split(line.strip())) {
      int eq = token.indexOf('=');
      if (eq > 0) {
        fields.put(token.substring(0, eq), token.substring(eq + 1).strip());
      }
    }
    return fields;
  }

  /** Slurm writes {@code (null)} or {@code N/A} for no generic resources. */
  private static String gres(String value) {
    return value.equals("(null)") || value.equals("N/A") ? "" : value;
  }
}
