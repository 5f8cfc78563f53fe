package io.migctl.env.venv;

import io.migctl.core.env.EnvironmentSpec;
import io.migctl.core.env.MatchSpec;
import io.migctl.env.Activation;
import io.migctl.env.BuildContext;
import io.migctl.env.BuildFailedException;
import io.migctl.env.BuildProgress;
import io.migctl.env.EnvBackend;
import io.migctl.process.ToolResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Python's own environments: {@code python3 -m venv} and pip for the spec's {@code pip:} section.
 * It builds specs whose conda part is at most {@code python} and {@code pip}; a python version in
 * the spec must match the interpreter used. Works wherever Python 3 is installed — the embedded
 * default when no conda-family tool is.
 */
public final class VenvBackend implements EnvBackend {

  private static final Pattern PYTHON_VERSION = Pattern.compile("Python (\\d+)\\.(\\d+)\\.(\\d+)");

  private final Path python;
  private final boolean systemSitePackages;

  /**
   * @param python the interpreter that makes the environments ({@code python3})
   * @param systemSitePackages whether environments also see the interpreter's packages
   */
  public VenvBackend(Path python, boolean systemSitePackages) {
    this.python = python;
    this.systemSitePackages = systemSitePackages;
  }

  @Override
  public String kind() {
    return kind(systemSitePackages);
  }

  /** The kind of a venv backend, before there is one (it names the build target). */
  public static String kind(boolean systemSitePackages) {
    return systemSitePackages ? "venv+system-site-packages" : "venv";
  }

  /**
   * Refuses a spec this backend cannot build, before anything runs.
   *
   * @throws IllegalArgumentException naming the conda packages and suggesting a conda backend
   */
  public static void check(EnvironmentSpec spec) {
    List<MatchSpec> conda = spec.condaPackagesBesidesPythonAndPip();
    if (!conda.isEmpty()) {
      throw new IllegalArgumentException(
          "the venv backend builds only python and pip packages, but the spec asks for conda packages "
              + String.join(", ", conda.stream().map(MatchSpec::canonical).toList())
              + "; use --backend conda, mamba or micromamba, or move them to the pip: section");
    }
  }

  @Override
  public void create(EnvironmentSpec spec, Path prefix, BuildContext context) {
    check(spec);
    String version = interpreterVersion(context);
    spec.python().flatMap(MatchSpec::version).ifPresent(wanted -> requireVersion(wanted, version));
    context.progress().accept(new BuildProgress("creating the virtual environment", -1));
    List<String> venv = new ArrayList<>(List.of(python.toString(), "-m", "venv"));
    if (systemSitePackages) {
      venv.add("--system-site-packages");
    }
    venv.add(prefix.toString());
    run(venv, context, "python -m venv");
    if (!spec.pip().isEmpty()) {
      context.progress().accept(new BuildProgress("installing the pip packages", -1));
      Path requirements = prefix.resolve("migctl-requirements.txt");
      try {
        Files.write(requirements, spec.pip());
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write " + requirements, e);
      }
      run(
          List.of(
              prefix.resolve("bin/python").toString(),
              "-m",
              "pip",
              "install",
              "--disable-pip-version-check",
              "--no-input",
              "-r",
              requirements.toString()),
          context,
          "pip install");
    }
  }

  @Override
  public String lock(Path prefix, BuildContext context) {
    ToolResult version =
        run(
            List.of(prefix.resolve("bin/python").toString(), "--version"),
            context,
            "python --version");
    ToolResult freeze =
        run(
            List.of(
                prefix.resolve("bin/python").toString(),
                "-m",
                "pip",
                "freeze",
                "--all",
                "--disable-pip-version-check"),
            context,
            "pip freeze");
    return "# " + (version.stdout() + version.stderr()).strip() + "\n" + freeze.stdout();
  }

  @Override
  public String export(Path prefix, EnvironmentSpec spec, BuildContext context) {
    String lock = lock(prefix, context);
    Matcher m = PYTHON_VERSION.matcher(lock);
    StringBuilder b = new StringBuilder();
    spec.name().ifPresent(n -> b.append("name: ").append(n).append('\n'));
    b.append("dependencies:\n");
    if (m.find()) {
      b.append("  - python=")
          .append(m.group(1))
          .append('.')
          .append(m.group(2))
          .append('.')
          .append(m.group(3))
          .append('\n');
    }
    List<String> pins = lock.lines().filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
    if (!pins.isEmpty()) {
      b.append("  - pip:\n");
      pins.forEach(p -> b.append("    - ").append(p).append('\n'));
    }
    if (!spec.variables().isEmpty()) {
      b.append("variables:\n");
      spec.variables()
          .forEach(
              (k, v) ->
                  b.append("  ")
                      .append(k)
                      .append(": \"")
                      .append(v.replace("\"", "\\\""))
                      .append("\"\n"));
    }
    return b.toString();
  }

  @Override
  public Activation activation(Path prefix, EnvironmentSpec spec, String name) {
    Map<String, String> vars = new LinkedHashMap<>();
    vars.put("VIRTUAL_ENV", prefix.toString());
    vars.putAll(spec.variables());
    return new Activation(vars, List.of(prefix.resolve("bin").toString()), List.of("PYTHONHOME"));
  }

  private String interpreterVersion(BuildContext context) {
    ToolResult r = run(List.of(python.toString(), "--version"), context, "python3 --version");
    Matcher m = PYTHON_VERSION.matcher(r.stdout() + r.stderr());
    if (!m.find()) {
      throw new BuildFailedException(
          python + " --version printed no version: " + (r.stdout() + r.stderr()).strip());
    }
    return m.group(1) + "." + m.group(2) + "." + m.group(3);
  }

  /**
   * Checks the interpreter's version against the spec's python version in conda's syntax: {@code
   * 3.11}, {@code 3.11.*}, {@code >=3.8,<3.12} (all must hold), {@code 3.10|3.11} (one must hold).
   */
  private void requireVersion(String wanted, String have) {
    if (!satisfies(have, wanted)) {
      throw new BuildFailedException(
          "the spec asks for python "
              + wanted
              + " but "
              + python
              + " is Python "
              + have
              + "; point --backend-path at a matching python3, or use a conda backend");
    }
  }

  static boolean satisfies(String version, String spec) {
    for (String alternative : spec.split("\\|")) {
      boolean all = true;
      for (String constraint : alternative.split(",")) {
        all &= satisfiesOne(version, constraint.strip());
      }
      if (all) {
        return true;
      }
    }
    return false;
  }

  private static boolean satisfiesOne(String version, String c) {
    for (String op : List.of(">=", "<=", "==", "!=", "~=", ">", "<", "=")) {
      if (c.startsWith(op)) {
        String v = c.substring(op.length()).strip();
        String bare = v.endsWith(".*") ? v.substring(0, v.length() - 2) : v;
        int cmp = compare(version, bare);
        return switch (op) {
          case ">=", "~=" -> cmp >= 0;
          case "<=" -> cmp <= 0 || prefixMatch(version, bare);
          case ">" -> cmp > 0 && !prefixMatch(version, bare);
          case "<" -> cmp < 0;
          case "!=" -> !prefixMatch(version, bare);
          default ->
              v.endsWith(".*") || op.equals("=")
                  ? prefixMatch(version, bare)
                  : cmp == 0 || prefixMatch(version, bare);
        };
      }
    }
    String bare =
        c.endsWith(".*")
            ? c.substring(0, c.length() - 2)
            : c.endsWith("*") ? c.substring(0, c.length() - 1) : c;
    return prefixMatch(version, bare);
  }

  private static boolean prefixMatch(String version, String prefix) {
    return prefix.isEmpty() || version.equals(prefix) || version.startsWith(prefix + ".");
  }

  private static int compare(String a, String b) {
    String[] x = a.split("\\.");
    String[] y = b.split("\\.");
    for (int i = 0; i < Math.max(x.length, y.length); i++) {
      int p = i < x.length ? Integer.parseInt(x[i]) : 0;
      int q = i < y.length && y[i].matches("\\d+") ? Integer.parseInt(y[i]) : 0;
      if (p != q) {
        return Integer.compare(p, q);
      }
    }
    return 0;
  }

  private ToolResult run(List<String> command, BuildContext context, String what) {
    try {
      ToolResult r = context.runner().run(context.command(command, context.log().getParent()));
      if (r.timedOut()) {
        throw new BuildFailedException(
            what + " took longer than " + context.timeout() + " and was stopped");
      }
      if (r.ending() instanceof ToolResult.Exited(int status) && status != 0) {
        String tail = (r.stderr().isBlank() ? r.stdout() : r.stderr()).strip();
        List<String> lines = tail.lines().toList();
        throw new BuildFailedException(
            what
                + " failed (exit "
                + status
                + "): "
                + String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size())));
      }
      return r;
    } catch (IOException e) {
      throw new BuildFailedException(what + " could not run: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BuildFailedException(what + " was interrupted", e);
    }
  }

  /** The python3 to use: {@code --backend-path}, else the first {@code python3} on PATH. */
  public static Optional<Path> findPython(
      Optional<Path> backendPath, Map<String, String> environment) {
    if (backendPath.isPresent()) {
      return Files.isExecutable(backendPath.get()) ? backendPath : Optional.empty();
    }
    for (String dir : environment.getOrDefault("PATH", "").split(":")) {
      if (dir.isEmpty()) {
        continue;
      }
      Path candidate = Path.of(dir, "python3");
      if (Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }
}
