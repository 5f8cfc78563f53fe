package io.migctl.slurm;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Slurm release, e.g. 22.05.8.
 *
 * @param major the year, e.g. 22
 * @param minor the month, e.g. 5
 * @param patch the maintenance release, e.g. 8
 */
public record SlurmVersion(int major, int minor, int patch) {

  private static final Pattern VERSION = Pattern.compile("(\\d+)\\.(\\d+)\\.(\\d+)");

  public SlurmVersion {
    if (major < 0 || minor < 0 || patch < 0) {
      throw new IllegalArgumentException(
          "a Slurm version has no negative parts, was " + major + "." + minor + "." + patch);
    }
  }

  /**
   * The version in what {@code scontrol --version} prints ({@code slurm-wlm 22.05.8}, {@code slurm
   * 23.11.4}).
   *
   * @throws IllegalArgumentException when it holds no {@code N.N.N}
   */
  public static SlurmVersion parse(String text) {
    Matcher m = VERSION.matcher(text);
    if (!m.find()) {
      throw new IllegalArgumentException(
          "no Slurm version (N.N.N) in \"" + text.strip() + "\"; expected e.g. slurm 22.05.8");
    }
    return new SlurmVersion(
        Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)));
  }

  @Override
  public String toString() {
    return String.format("%d.%02d.%d", major, minor, patch);
  }
}
