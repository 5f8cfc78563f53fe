package io.migctl.daemon;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.migctl.core.env.BuildTarget;
import io.migctl.core.tenant.Principal;
import io.migctl.daemon.store.TenantStore;
import io.migctl.env.BuildFailedException;
import io.migctl.env.builds.EnvironmentBuilds;
import io.migctl.env.spec.CheckedSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * {@code POST /api/v1/environments}: builds (or finds) an environment from a spec in the daemon's
 * own home, with the tools on the daemon's {@code PATH}, so that a job submitted with the build's
 * id finds it there — a client's home is not the daemon's when the daemon is remote. The request
 * waits for the build (a venv takes seconds, a conda solve minutes).
 *
 * <p>Answers 201 with the build when it was built, 200 when the store had it; 400 {@code invalid}
 * with the parser's message for a spec that is not valid, a backend that is unknown or not
 * installed, or a bad name; 422 {@code build-failed} with the tool's explanation when the tool
 * failed. Needs a token, and holds to the API's body limit. The request is audited before the build
 * starts; a tenant's request makes the tenant an owner of the build (builds are shared by content,
 * so several tenants may own one), which lets it see the build.
 */
final class EnvironmentApi {

  /** The route. */
  static final String PATH = "/api/v1/environments";

  private final EnvironmentBuilds builds;
  private final TenantStore tenants;
  private final Audit audit;

  EnvironmentApi(EnvironmentBuilds builds, TenantStore tenants, Audit audit) {
    this.builds = builds;
    this.tenants = tenants;
    this.audit = audit;
  }

  /**
   * The body of {@code POST /api/v1/environments}. Unknown fields are refused.
   *
   * @param spec the environment.yml's text
   * @param source how messages name it, e.g. the client's file name (default {@code spec})
   * @param directory the absolute folder relative pip paths ({@code -r reqs.txt}) are resolved
   *     against, as the file's folder is for {@code env create}; the daemon's working folder when
   *     absent
   * @param name a name to point at the build (default: the spec's own name, when it can be one)
   * @param backend {@code auto} (default), {@code venv}, {@code conda}, {@code mamba}, {@code
   *     micromamba}
   */
  record BuildRequest(String spec, String source, String directory, String name, String backend) {}

  /** What a build request did: the build, whether it was there already, the spec's warnings. */
  record BuildView(boolean cacheHit, Views.EnvironmentView build, List<String> warnings) {}

  /** Adds the route to {@code app}; the app's own checks (host, token) guard it. */
  void register(Javalin app) {
    app.post(PATH, this::build);
  }

  private void build(Context ctx) {
    Principal by = ApiAccess.principal(ctx);
    BuildRequest request =
        JsonBody.read(BoundedBody.read(ctx.req(), ApiServer.MAX_REQUEST_BYTES), BuildRequest.class);
    audit.record(
        by,
        "env-create",
        "environment "
            + Optional.ofNullable(request.name())
                .orElse(Optional.ofNullable(request.source()).orElse("spec")),
        "backend " + Optional.ofNullable(request.backend()).orElse("auto"));
    BuildView view = build(request);
    by.ownTenant().ifPresent(t -> tenants.own(view.build().id(), t));
    ctx.status(view.cacheHit() ? 200 : 201).json(view);
  }

  /**
   * Builds what {@code request} asks for.
   *
   * @throws DaemonException 400 for a bad request, 422 when the tool failed
   */
  BuildView build(BuildRequest request) {
    if (request.spec() == null) {
      throw DaemonException.invalid("spec: missing; send the environment.yml's text");
    }
    String source = Optional.ofNullable(request.source()).orElse("spec");
    EnvironmentBuilds.Backend backend =
        new EnvironmentBuilds.Backend(
            Optional.ofNullable(request.backend()).orElse("auto"), Optional.empty(), false);
    try {
      BuildTarget target = builds.target(backend);
      CheckedSpec checked =
          CheckedSpec.of(
              request.spec().getBytes(StandardCharsets.UTF_8),
              source,
              directory(request.directory()),
              target);
      EnvironmentBuilds.Built built =
          builds.build(
              checked,
              source,
              backend,
              Optional.ofNullable(request.name()),
              Optional.empty(),
              warnings -> {},
              progress -> {});
      return new BuildView(
          built.created().cacheHit(),
          Views.EnvironmentView.of(built.created().build()),
          built.warnings());
    } catch (IllegalArgumentException e) {
      throw DaemonException.invalid(e.getMessage());
    } catch (BuildFailedException e) {
      throw new DaemonException(422, "build-failed", e.getMessage());
    }
  }

  private static Path directory(String directory) {
    if (directory == null) {
      return Path.of("").toAbsolutePath();
    }
    try {
      Path dir = Path.of(directory);
      if (dir.isAbsolute()) {
        return dir.normalize();
      }
    } catch (InvalidPathException e) {
      // worded below
    }
    throw DaemonException.invalid(
        "directory: \""
            + directory.replace("\0", "\\0")
            + "\" is not an absolute path; give the spec file's folder, e.g. /home/me/project");
  }
}
