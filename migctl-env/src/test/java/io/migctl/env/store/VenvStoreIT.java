package io.migctl.env.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.migctl.core.env.BuildTarget;
import io.migctl.core.env.EnvironmentSpec;
import io.migctl.env.BuildContext;
import io.migctl.env.BuildFailedException;
import io.migctl.env.EnvBackend;
import io.migctl.env.spec.EnvironmentFiles;
import io.migctl.env.venv.VenvBackend;
import io.migctl.process.SystemToolRunner;
import io.migctl.testing.RequiredTools;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store with the real venv backend: build, cache, concurrency, activation, lock, gc. */
class VenvStoreIT {

  private static final String SPEC =
      "name: demo\ndependencies:\n  - python\n  - pip\nvariables:\n  MIGCTL_TEST_VAR: hello world\n";

  @TempDir Path home;

  private Path python;

  @BeforeEach
  void findPython() {
    python =
        RequiredTools.fromEnvironment()
            .require(
                VenvBackend.findPython(Optional.empty(), System.getenv()),
                () -> "python3 is not on PATH; the venv backend cannot be tested");
  }

  private EnvironmentStore store() {
    return new EnvironmentStore(
        home.resolve("envs"), Clock.systemUTC(), new SystemToolRunner(), Duration.ofMinutes(5));
  }

  /** The venv backend, counting how often it really builds. */
  private static final class Counting implements EnvBackend {
    final VenvBackend inner;
    final AtomicInteger builds = new AtomicInteger();

    Counting(VenvBackend inner) {
      this.inner = inner;
    }

    @Override
    public String kind() {
      return inner.kind();
    }

    @Override
    public void create(EnvironmentSpec spec, Path prefix, BuildContext context) {
      builds.incrementAndGet();
      inner.create(spec, prefix, context);
    }

    @Override
    public String lock(Path prefix, BuildContext context) {
      return inner.lock(prefix, context);
    }

    @Override
    public String export(Path prefix, EnvironmentSpec spec, BuildContext context) {
      return inner.export(prefix, spec, context);
    }

    @Override
    public io.migctl.env.Activation activation(Path prefix, EnvironmentSpec spec, String name) {
      return inner.activation(prefix, spec, name);
    }
  }

  private EnvironmentStore.Created create(EnvironmentStore store, EnvBackend backend) {
    EnvironmentSpec spec =
        EnvironmentFiles.read(SPEC, "spec.yml", new BuildTarget("linux-64", "venv")).spec();
    return store.create(spec, SPEC, backend, "linux-64", Optional.empty(), Map.of(), p -> {});
  }

  @Test
  void buildsOnceAndFindsTheBuildAfterwards() {
    Counting backend = new Counting(new VenvBackend(python, false));
    EnvironmentStore.Created first = create(store(), backend);
    assertThat(first.cacheHit()).isFalse();
    assertThat(first.build().names()).containsExactly("demo");
    assertThat(first.build().prefix().resolve("bin/python")).exists();
    assertThat(store().lock(first.build())).startsWith("# Python 3.").contains("pip==");

    EnvironmentStore.Created again = create(store(), backend);
    assertThat(again.cacheHit()).isTrue();
    assertThat(again.build().id()).isEqualTo(first.build().id());
    assertThat(backend.builds).hasValue(1);
  }

  @Test
  void twoConcurrentCreatesMakeOneBuild() throws Exception {
    Counting backend = new Counting(new VenvBackend(python, false));
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Future<EnvironmentStore.Created>> results = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        EnvironmentStore separate = store();
        results.add(pool.submit(() -> create(separate, backend)));
      }
      EnvironmentStore.Created a = results.get(0).get(5, TimeUnit.MINUTES);
      EnvironmentStore.Created b = results.get(1).get(5, TimeUnit.MINUTES);
      assertThat(a.build().id()).isEqualTo(b.build().id());
      assertThat(List.of(a.cacheHit(), b.cacheHit())).containsExactlyInAnyOrder(true, false);
      assertThat(backend.builds).hasValue(1);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aProcessWithTheActivationRunsTheEnvironmentsPython()
      throws IOException, InterruptedException {
    EnvironmentBuild build = create(store(), new VenvBackend(python, false)).build();
    Map<String, String> child = build.activation().applyTo(System.getenv());
    ProcessBuilder pb =
        new ProcessBuilder(
                io.migctl.env.Activation.resolveProgram(
                    List.of(
                        "python",
                        "-c",
                        "import sys, os; print(sys.prefix); print(os.environ['MIGCTL_TEST_VAR'])"),
                    child))
            .redirectErrorStream(true);
    pb.environment().clear();
    pb.environment().putAll(child);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(1, TimeUnit.MINUTES)).isTrue();
    assertThat(out.lines().toList())
        .containsExactly(build.prefix().toRealPath().toString(), "hello world");
  }

  @Test
  void aFailedBuildLeavesNothingAndTheNextCreateSucceeds() throws IOException {
    Path broken = home.resolve("broken-python");
    Files.writeString(
        broken,
        "#!/bin/sh\nif [ \"$1\" = \"-m\" ]; then echo 'venv exploded' >&2; exit 3; fi\nexec "
            + python
            + " \"$@\"\n");
    broken.toFile().setExecutable(true);
    assertThatThrownBy(() -> create(store(), new VenvBackend(broken, false)))
        .isInstanceOf(BuildFailedException.class)
        .hasMessageContaining("venv exploded");
    assertThat(store().list()).isEmpty();
    try (Stream<Path> left = Files.list(home.resolve("envs"))) {
      assertThat(left.map(p -> p.getFileName().toString()))
          .doesNotContain(
              io.migctl.core.env.CanonicalSpec.of(
                      EnvironmentFiles.read(SPEC, "x", new BuildTarget("linux-64", "venv")).spec(),
                      "linux-64",
                      "venv")
                  .hash());
    }
    assertThat(create(store(), new VenvBackend(python, false)).cacheHit()).isFalse();
    assertThat(store().list()).hasSize(1);
  }

  @Test
  void gcKeepsWhatNamesPointAtAndRemovesTheRest() {
    EnvironmentStore store = store();
    EnvironmentSpec unnamed =
        EnvironmentFiles.read(
                "dependencies:\n  - python\n", "x", new BuildTarget("linux-64", "venv"))
            .spec();
    EnvironmentBuild orphan =
        store
            .create(
                unnamed,
                "dependencies: [python]\n",
                new VenvBackend(python, false),
                "linux-64",
                Optional.empty(),
                Map.of(),
                p -> {})
            .build();
    EnvironmentBuild named = create(store, new VenvBackend(python, false)).build();
    EnvironmentStore.GcResult dry = store.gc(1, Set.of(), true);
    assertThat(dry.removed()).containsExactly(orphan.id());
    assertThat(store.list()).hasSize(2);
    EnvironmentStore.GcResult done = store.gc(1, Set.of(), false);
    assertThat(done.removed()).containsExactly(orphan.id());
    assertThat(store.list()).extracting(EnvironmentBuild::id).containsExactly(named.id());
    assertThat(store.find("demo")).map(EnvironmentBuild::id).contains(named.id());
  }
}
