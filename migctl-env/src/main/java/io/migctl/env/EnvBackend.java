package io.migctl.env;

import io.migctl.core.env.EnvironmentSpec;
import java.nio.file.Path;

/**
 * A tool that builds environments from specs: conda, mamba, micromamba or Python's venv. The port
 * lives here rather than in core because it speaks in file paths, which core does not touch.
 *
 * <p>Implementations run external programs through {@link io.migctl.process.ToolRunner} only (the
 * context's), as argument lists.
 */
public interface EnvBackend {

  /** {@code venv}, {@code conda}, {@code mamba} or {@code micromamba}; part of a build's hash. */
  String kind();

  /**
   * Builds {@code spec} into the empty or absent folder {@code prefix}.
   *
   * @throws BuildFailedException with the tool's own explanation when the build fails
   */
  void create(EnvironmentSpec spec, Path prefix, BuildContext context);

  /**
   * The build's explicit lock: {@code conda list --explicit --md5} for conda-family tools, {@code
   * pip freeze} for venv.
   */
  String lock(Path prefix, BuildContext context);

  /** A pinned export of the build (an environment.yml with exact versions). */
  String export(Path prefix, EnvironmentSpec spec, BuildContext context);

  /** The variables a process needs to run inside the build, without any wrapper. */
  Activation activation(Path prefix, EnvironmentSpec spec, String name);
}
