package io.migctl.env.container;

import io.migctl.env.store.EnvironmentBuild;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Container files for a build: a Dockerfile that rebuilds the environment from its lock, and a
 * compose file that runs it on exactly the given MIG devices (what users write by hand today).
 */
public final class ContainerFiles {

  /** The base image conda-family builds are rebuilt on (pinned: a tag, not latest). */
  public static final String MINICONDA_IMAGE = "continuumio/miniconda3:24.7.1-0";

  private static final Pattern PYTHON = Pattern.compile("Python (\\d+\\.\\d+)\\.\\d+");

  private ContainerFiles() {}

  /**
   * A Dockerfile that rebuilds the environment from its lock: conda-family builds on the miniconda
   * image from the explicit lock ({@code conda create --file}), venv builds on the official python
   * image of the same minor version from the frozen requirements ({@code pip install --no-deps}).
   * The environment sits at {@code /opt/env}; its variables are set with ENV.
   *
   * @param lock the build's lock text (copied next to the Dockerfile as {@code lock.txt})
   */
  public static String dockerfile(EnvironmentBuild build, String lock) {
    StringBuilder b = new StringBuilder();
    b.append("# Rebuilds migctl environment ")
        .append(build.shortId())
        .append(" (")
        .append(build.backend())
        .append(", ")
        .append(build.platform())
        .append(") from its lock.\n");
    b.append("# Build with lock.txt beside this file: migctl env lock ")
        .append(build.shortId())
        .append(" > lock.txt\n");
    if (build.backend().startsWith("venv")) {
      Matcher m = PYTHON.matcher(lock);
      String version = m.find() ? m.group(1) : "3";
      b.append("FROM python:").append(version).append("-slim\n");
      b.append("COPY lock.txt /tmp/lock.txt\n");
      b.append("RUN python -m venv /opt/env \\\n");
      b.append(
          "    && grep -v '^#' /tmp/lock.txt | grep -v '^pip==' | grep -v '^setuptools==' > /tmp/requirements.txt \\\n");
      b.append(
          "    && /opt/env/bin/pip install --no-cache-dir --no-deps -r /tmp/requirements.txt \\\n");
      b.append("    && rm /tmp/lock.txt /tmp/requirements.txt\n");
      b.append("ENV VIRTUAL_ENV=/opt/env\n");
    } else {
      b.append("FROM ").append(MINICONDA_IMAGE).append('\n');
      b.append("COPY lock.txt /tmp/lock.txt\n");
      b.append("RUN conda create --yes --prefix /opt/env --file /tmp/lock.txt \\\n");
      b.append("    && conda clean --all --yes && rm /tmp/lock.txt\n");
      b.append("ENV CONDA_PREFIX=/opt/env\n");
      b.append("ENV CONDA_DEFAULT_ENV=")
          .append(build.specName().orElse(build.shortId()))
          .append('\n');
    }
    b.append("ENV PATH=/opt/env/bin:$PATH\n");
    for (Map.Entry<String, String> e : build.activation().variables().entrySet()) {
      if (e.getKey().equals("VIRTUAL_ENV") || e.getKey().startsWith("CONDA_")) {
        continue;
      }
      b.append("ENV ").append(e.getKey()).append('=').append(quote(e.getValue())).append('\n');
    }
    return b.toString();
  }

  /**
   * A compose file whose service runs the environment's image on exactly {@code devices}: {@code
   * NVIDIA_VISIBLE_DEVICES} and a device reservation with those ids.
   *
   * @param devices MIG device UUIDs ({@code MIG-…}) or GPU UUIDs
   * @param command the container's command as an argument list (may be empty)
   */
  public static String compose(
      EnvironmentBuild build, String service, List<String> devices, List<String> command) {
    if (devices.isEmpty()) {
      throw new IllegalArgumentException("give at least one --device MIG-<uuid>");
    }
    for (String d : devices) {
      if (!d.matches("(MIG|GPU)-[0-9a-fA-F-]+")) {
        throw new IllegalArgumentException(
            "--device " + d + " is not a MIG-<uuid> or GPU-<uuid> (see 'migctl gpus')");
      }
    }
    if (!service.matches("[a-z0-9][a-z0-9_-]*")) {
      throw new IllegalArgumentException(
          "--service " + service + ": use lower-case letters, digits, '_' and '-'");
    }
    String ids = String.join(",", devices);
    StringBuilder b = new StringBuilder();
    b.append("# Runs migctl environment ")
        .append(build.shortId())
        .append(" on ")
        .append(ids)
        .append('\n');
    b.append("services:\n");
    b.append("  ").append(service).append(":\n");
    b.append("    build:\n      context: .\n      dockerfile: Dockerfile\n");
    b.append("    image: migctl-env-").append(build.shortId()).append('\n');
    b.append("    environment:\n");
    b.append("      NVIDIA_VISIBLE_DEVICES: \"").append(ids).append("\"\n");
    b.append("      CUDA_VISIBLE_DEVICES: \"").append(ids).append("\"\n");
    if (!command.isEmpty()) {
      b.append("    command: [")
          .append(String.join(", ", command.stream().map(ContainerFiles::quote).toList()))
          .append("]\n");
    }
    b.append("    deploy:\n      resources:\n        reservations:\n          devices:\n");
    b.append("            - driver: nvidia\n");
    b.append("              device_ids: [")
        .append(String.join(", ", devices.stream().map(ContainerFiles::quote).toList()))
        .append("]\n");
    b.append("              capabilities: [gpu]\n");
    return b.toString();
  }

  private static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
