package io.migctl.env.builds;

import io.migctl.core.env.BuildTarget;
import io.migctl.core.env.EnvironmentSpec;
import io.migctl.core.env.SpecText;
import io.migctl.env.BuildFailedException;
import io.migctl.env.BuildProgress;
import io.migctl.env.EnvBackend;
import io.migctl.env.conda.CondaFamilyBackend;
import io.migctl.env.spec.CheckedSpec;
import io.migctl.env.store.EnvironmentStore;
import io.migctl.env.venv.VenvBackend;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Building environments from specs, as {@code env create}, {@code env check}, {@code up} and the
 * daemon's {@code POST /api/v1/environments} all do it: which backend a request means ({@code auto}
 * takes micromamba, mamba or conda when one is installed, else venv), what its tool is, the spec's
 * warnings, and the build in the store.
 *
 * <p>Bad requests — an unknown backend, a tool that is not installed, conda packages for venv, a
 * name the store cannot use — are {@link IllegalArgumentException}s whose message says what to fix;
 * nothing is built then. A failing tool is a {@link BuildFailedException}.
 */
public final class EnvironmentBuilds {

  /**
   * What to build with.
   *
   * @param backend {@code auto}, {@code venv}, {@code conda}, {@code mamba} or {@code micromamba}
   *     (any case)
   * @param backendPath the tool's executable (python3 for venv) instead of the one on {@code PATH}
   * @param systemSitePackages venv: let the environment see the interpreter's packages
   */
  public record Backend(String backend, Optional<Path> backendPath, boolean systemSitePackages) {

    /** {@code auto}, found on {@code PATH}, without system site packages. */
    public static final Backend AUTO = new Backend("auto", Optional.empty(), false);

    public Backend {
      java.util.Objects.requireNonNull(backend, "backend");
      java.util.Objects.requireNonNull(backendPath, "backendPath");
    }
  }

  /**
   * A build and the warnings its spec gave.
   *
   * @param created the build, and whether it was there already
   */
  public record Built(EnvironmentStore.Created created, List<String> warnings) {
    public Built {
      warnings = List.copyOf(warnings);
    }
  }

  private final EnvironmentStore store;
  private final Map<String, String> environment;
  private final String platform;

  /**
   * @param store where builds go
   * @param environment the variables of the process that builds: tools are looked up on its {@code
   *     PATH} (and {@code CONDA_EXE}, {@code MAMBA_EXE}); {@code MIGCTL_CUDA_VERSION} is the
   *     default CUDA version for conda's solver
   * @param platform the platform in conda's words, e.g. {@code linux-64} ({@link #hostPlatform})
   */
  public EnvironmentBuilds(
      EnvironmentStore store, Map<String, String> environment, String platform) {
    this.store = store;
    this.environment = Map.copyOf(environment);
    this.platform = platform;
  }

  /** This machine's platform in conda's words: {@code linux-64}, {@code osx-arm64}, … */
  public static String hostPlatform() {
    String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
    String o =
        os.contains("linux")
            ? "linux"
            : os.contains("mac") ? "osx" : os.contains("win") ? "win" : os;
    String a =
        switch (arch) {
          case "amd64", "x86_64" -> "64";
          case "aarch64", "arm64" -> o.equals("osx") ? "arm64" : "aarch64";
          case "ppc64le" -> "ppc64le";
          default -> arch;
        };
    return o + "-" + a;
  }

  /**
   * What a spec is read for with {@code backend}: the platform and the backend's kind, {@code auto}
   * resolved (nothing needs to be installed to know the kind).
   *
   * @throws IllegalArgumentException when {@code backend} names no backend
   */
  public BuildTarget target(Backend backend) {
    String kind = backendKind(backend.backend());
    return new BuildTarget(
        platform, kind.equals("venv") ? VenvBackend.kind(backend.systemSitePackages()) : kind);
  }

  /**
   * Checks that {@code checked} can be built by the backend it was read for (venv takes no conda
   * packages).
   *
   * @throws IllegalArgumentException saying why not
   */
  public void check(CheckedSpec checked, Backend backend) {
    if (isVenv(checked.target())) {
      venvCheck(checked.spec(), backend.backend());
    }
  }

  /**
   * The backend of the kind {@code checked} was read for; its tool must be installed.
   *
   * @throws IllegalArgumentException when the spec does not suit it or its tool is not installed
   */
  public EnvBackend backend(CheckedSpec checked, Backend backend) {
    String kind = checked.target().backend();
    if (isVenv(checked.target())) {
      venvCheck(checked.spec(), backend.backend());
      Path python =
          VenvBackend.findPython(backend.backendPath(), environment)
              .orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          "python3 was not found on PATH; give --backend-path /path/to/python3"));
      return new VenvBackend(python, kind.equals(VenvBackend.kind(true)));
    }
    CondaFamilyBackend.Tool tool = CondaFamilyBackend.Tool.named(kind).orElseThrow();
    Path exe =
        CondaFamilyBackend.find(tool, backend.backendPath(), environment)
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        kind + " was not found on PATH; install it or give --backend-path"));
    return new CondaFamilyBackend(tool, exe);
  }

  /**
   * The spec's warnings, and one when its name cannot name the build (the store's names are file
   * names): with a name given the spec's name does not matter.
   *
   * @param source how messages name the spec, e.g. its file
   */
  public static List<String> warnings(CheckedSpec checked, String source, Optional<String> name) {
    List<String> warnings = new ArrayList<>(checked.warnings());
    checked
        .spec()
        .name()
        .filter(n -> name.isEmpty() && !EnvironmentStore.isStoreName(n))
        .ifPresent(
            n ->
                warnings.add(
                    source
                        + ": name: \""
                        + SpecText.abbreviate(n)
                        + "\" is only the build's label: builds are named with letters, digits,"
                        + " '.', '_' and '-', so no name points at this one; give --name NAME"));
    return warnings;
  }

  /**
   * Builds (or finds) {@code checked}'s environment and points {@code name} at it (else the spec's
   * own name, when it is a store name).
   *
   * @param source how warnings name the spec
   * @param cudaVersion the CUDA version for conda's solver ({@code CONDA_OVERRIDE_CUDA}); {@code
   *     MIGCTL_CUDA_VERSION} when empty
   * @param warned gets the spec's warnings before the build starts
   * @throws IllegalArgumentException when the request is bad; nothing was built
   * @throws BuildFailedException when the tool fails; nothing stays behind
   */
  public Built build(
      CheckedSpec checked,
      String source,
      Backend backend,
      Optional<String> name,
      Optional<String> cudaVersion,
      Consumer<List<String>> warned,
      Consumer<BuildProgress> progress) {
    List<String> warnings = warnings(checked, source, name);
    EnvBackend chosen = backend(checked, backend);
    warned.accept(warnings);
    Map<String, String> toolEnv = new LinkedHashMap<>();
    Optional<String> cuda =
        cudaVersion
            .or(() -> Optional.ofNullable(environment.get("MIGCTL_CUDA_VERSION")))
            .filter(v -> !v.isBlank());
    if (cuda.isPresent() && !chosen.kind().startsWith("venv")) {
      toolEnv.put("CONDA_OVERRIDE_CUDA", cuda.get());
    }
    EnvironmentStore.Created created =
        store.create(checked.spec(), checked.text(), chosen, platform, name, toolEnv, progress);
    return new Built(created, warnings);
  }

  /** {@code venv}, {@code conda}, {@code mamba} or {@code micromamba}, {@code auto} resolved. */
  private String backendKind(String backend) {
    String kind = backend.toLowerCase(Locale.ROOT);
    if (kind.equals("auto")) {
      return Stream.of(
              CondaFamilyBackend.Tool.MICROMAMBA,
              CondaFamilyBackend.Tool.MAMBA,
              CondaFamilyBackend.Tool.CONDA)
          .filter(tool -> CondaFamilyBackend.find(tool, Optional.empty(), environment).isPresent())
          .map(CondaFamilyBackend.Tool::command)
          .findFirst()
          .orElse("venv");
    }
    if (!kind.equals("venv") && CondaFamilyBackend.Tool.named(kind).isEmpty()) {
      throw new IllegalArgumentException(
          "--backend " + backend + ": use auto, venv, conda, mamba or micromamba");
    }
    return kind;
  }

  /**
   * Builds (or finds) the environment a workload calls {@code workloadName}, as {@code up} does:
   * that name points at the build, and so does the spec's own name when it is a store name, so that
   * {@code env show} and {@code submit --env} find it by either.
   *
   * @throws IllegalArgumentException as {@link #build}
   * @throws BuildFailedException as {@link #build}
   */
  public Built buildForWorkload(
      CheckedSpec checked,
      String source,
      Backend backend,
      String workloadName,
      Consumer<List<String>> warned) {
    Built built =
        build(
            checked, source, backend, Optional.of(workloadName), Optional.empty(), warned, p -> {});
    checked
        .spec()
        .name()
        .filter(EnvironmentStore::isStoreName)
        .filter(n -> !n.equals(workloadName))
        .ifPresent(n -> store.name(n, built.created().build()));
    return new Built(
        new EnvironmentStore.Created(
            store.find(built.created().build().id()).orElseThrow(), built.created().cacheHit()),
        built.warnings());
  }

  private static boolean isVenv(BuildTarget target) {
    return target.backend().startsWith("venv");
  }

  /** Refuses a spec with conda packages for the venv backend, saying why. */
  private static void venvCheck(EnvironmentSpec spec, String backend) {
    try {
      VenvBackend.check(spec);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          (backend.equalsIgnoreCase("auto")
                  ? "no conda, mamba or micromamba is installed, and "
                  : "")
              + e.getMessage(),
          e);
    }
  }
}
