package io.migctl.env.store;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.migctl.core.env.CanonicalSpec;
import io.migctl.core.env.EnvironmentSpec;
import io.migctl.env.Activation;
import io.migctl.env.BuildContext;
import io.migctl.env.BuildProgress;
import io.migctl.env.EnvBackend;
import io.migctl.env.PrivateModes;
import io.migctl.process.ToolRunner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The content-addressed environment store under {@code $MIGCTL_HOME/envs}.
 *
 * <p>Layout: {@code <id>/} per build — {@code prefix/} (the environment), {@code spec.yml}, {@code
 * canonical.txt}, {@code lock.txt}, {@code export.yml}, {@code build.log}, and {@code build.json},
 * written last and atomically: a build exists exactly when its {@code build.json} does. {@code
 * names/<name>.json} lists the builds a name has pointed at, newest last. {@code locks/} holds one
 * lock file per id. The store's folders are 0700 and its files 0600 ({@link PrivateModes}); a
 * prefix keeps the modes its tool gives it, inside the private home.
 *
 * <p>Environments are built in place, at their final prefix, because conda and venv write the
 * prefix into scripts and links (a renamed environment breaks). Atomicity comes from the marker
 * instead: a folder without {@code build.json} is a failed or interrupted build; it is invisible,
 * and removed before the same id is built again and by {@code gc}.
 *
 * <p>Concurrency: building an id holds that id's lock (a file lock across processes, and one per id
 * within this JVM), so two creates of one spec make one build; the second waits, then finds it.
 */
public final class EnvironmentStore {

  private static final ConcurrentMap<Path, ReentrantLock> PROCESS_LOCKS = new ConcurrentHashMap<>();
  private static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private static final Pattern STORE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

  private final Path root;
  private final Clock clock;
  private final ToolRunner runner;
  private final Duration timeout;

  /** What {@link #create} did. */
  public record Created(EnvironmentBuild build, boolean cacheHit) {}

  /** One build's metadata file. */
  record BuildRecord(
      String id,
      String backend,
      String platform,
      String created,
      String specName,
      Map<String, String> variables,
      List<String> pathPrepend,
      List<String> unset) {}

  /** A name's history, newest last. */
  record NameRecord(String name, List<NameEntry> builds) {}

  /** One build a name pointed at. */
  record NameEntry(String id, String at) {}

  public EnvironmentStore(Path root, Clock clock, ToolRunner runner, Duration timeout) {
    this.root = root;
    this.clock = clock;
    this.runner = runner;
    this.timeout = timeout;
  }

  /**
   * Returns the build of {@code spec} by {@code backend}, building it when the store has none, and
   * points {@code name} at it, or else the spec's own name when that is a store name ({@link
   * #isStoreName}; a spec's name is otherwise only the build's label).
   *
   * @param specText the spec as the user wrote it, kept with the build
   * @param toolEnvironment extra variables for the tool, e.g. {@code CONDA_OVERRIDE_CUDA}
   * @throws io.migctl.env.BuildFailedException when the build fails (nothing stays behind)
   */
  public Created create(
      EnvironmentSpec spec,
      String specText,
      EnvBackend backend,
      String platform,
      Optional<String> name,
      Map<String, String> toolEnvironment,
      Consumer<BuildProgress> progress) {
    CanonicalSpec canonical = CanonicalSpec.of(spec, platform, backend.kind());
    String id = canonical.hash();
    name.ifPresent(EnvironmentStore::checkName);
    // the spec's own name is a label; it names the build only when it is a store name
    Optional<String> pointer = name.or(() -> spec.name().filter(EnvironmentStore::isStoreName));
    boolean hit =
        locked(
            "build-" + id,
            () -> {
              Path dir = root.resolve(id);
              if (Files.exists(dir.resolve("build.json"))) {
                return true;
              }
              deleteTree(dir);
              build(spec, specText, backend, platform, canonical, dir, toolEnvironment, progress);
              return false;
            });
    pointer.ifPresent(n -> point(n, id));
    return new Created(read(id).orElseThrow(), hit);
  }

  private void build(
      EnvironmentSpec spec,
      String specText,
      EnvBackend backend,
      String platform,
      CanonicalSpec canonical,
      Path dir,
      Map<String, String> toolEnvironment,
      Consumer<BuildProgress> progress) {
    try {
      Files.createDirectories(dir, PrivateModes.FOLDER);
      writeAtomically(dir.resolve("spec.yml"), specText);
      writeAtomically(dir.resolve("canonical.txt"), canonical.text());
      Path prefix = dir.resolve("prefix");
      BuildContext context =
          new BuildContext(runner, dir.resolve("build.log"), progress, toolEnvironment, timeout);
      backend.create(spec, prefix, context);
      progress.accept(new BuildProgress("locking", -1));
      writeAtomically(dir.resolve("lock.txt"), backend.lock(prefix, context));
      writeAtomically(dir.resolve("export.yml"), backend.export(prefix, spec, context));
      Activation a =
          backend.activation(prefix, spec, spec.name().orElse(canonical.hash().substring(0, 12)));
      BuildRecord record =
          new BuildRecord(
              canonical.hash(),
              backend.kind(),
              platform,
              clock.instant().toString(),
              spec.name().orElse(null),
              a.variables(),
              a.pathPrepend(),
              a.unset());
      writeAtomically(dir.resolve("build.json"), JSON.writeValueAsString(record));
    } catch (IOException e) {
      deleteTree(dir);
      throw new UncheckedIOException("cannot write the build " + dir, e);
    } catch (RuntimeException e) {
      deleteTree(dir);
      throw e;
    }
  }

  /** Every finished build, newest first. */
  public List<EnvironmentBuild> list() {
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    List<EnvironmentBuild> out = new ArrayList<>();
    try (Stream<Path> dirs = Files.list(root)) {
      for (Path d : dirs.filter(Files::isDirectory).toList()) {
        String id = d.getFileName().toString();
        if (id.matches("[0-9a-f]{64}")) {
          read(id).ifPresent(out::add);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + root, e);
    }
    out.sort(Comparator.comparing(EnvironmentBuild::created).reversed());
    return out;
  }

  /**
   * The build a name, a full id or a unique id prefix (at least 4 hex digits) refers to.
   *
   * @throws IllegalArgumentException when a prefix matches several builds
   */
  public Optional<EnvironmentBuild> find(String idOrName) {
    Optional<NameRecord> named = readName(idOrName);
    if (named.isPresent() && !named.get().builds().isEmpty()) {
      return read(named.get().builds().getLast().id());
    }
    if (!idOrName.matches("[0-9a-f]{4,64}")) {
      return Optional.empty();
    }
    List<EnvironmentBuild> matches =
        list().stream().filter(b -> b.id().startsWith(idOrName)).toList();
    if (matches.size() > 1) {
      throw new IllegalArgumentException(
          "\""
              + idOrName
              + "\" matches "
              + matches.size()
              + " builds ("
              + String.join(", ", matches.stream().map(EnvironmentBuild::shortId).toList())
              + "); give more digits");
    }
    return matches.stream().findFirst();
  }

  /**
   * Removes a build. A build that a name currently points at is removed only with {@code force},
   * which also drops it from those names.
   *
   * @throws IllegalStateException naming the names when they point at it and force is off
   */
  public void remove(EnvironmentBuild build, boolean force) {
    locked(
        "build-" + build.id(),
        () -> {
          List<String> pointing = currentNames(build.id());
          if (!pointing.isEmpty() && !force) {
            throw new IllegalStateException(
                build.shortId()
                    + " is the current build of "
                    + String.join(", ", pointing)
                    + "; use --force to remove it and those names' pointer to it");
          }
          for (String n : namesContaining(build.id())) {
            dropFromName(n, build.id());
          }
          deleteTree(build.dir());
          return null;
        });
  }

  /** What {@link #gc} removed (or would remove). */
  public record GcResult(List<String> removed, List<String> kept, int partialRemoved) {}

  /**
   * Removes builds that no name points at and no job uses; keeps the newest {@code keep} builds of
   * every name's history (at least the current one), and removes interrupted builds.
   *
   * @param inUse ids of builds that queued or running jobs use
   */
  public GcResult gc(int keep, Set<String> inUse, boolean dryRun) {
    if (keep < 1) {
      throw new IllegalArgumentException(
          "--keep must be at least 1 (the current build of each name), was " + keep);
    }
    Set<String> wanted = new HashSet<>(inUse);
    for (NameRecord n : names()) {
      List<NameEntry> b = n.builds();
      for (int i = Math.max(0, b.size() - keep); i < b.size(); i++) {
        wanted.add(b.get(i).id());
      }
    }
    List<String> removed = new ArrayList<>();
    List<String> kept = new ArrayList<>();
    for (EnvironmentBuild b : list()) {
      if (wanted.contains(b.id())) {
        kept.add(b.id());
      } else {
        removed.add(b.id());
        if (!dryRun) {
          remove(b, true);
        }
      }
    }
    int partial = dryRun ? 0 : removePartial();
    return new GcResult(removed, kept, partial);
  }

  /** The build's lock (written when it was built). */
  public String lock(EnvironmentBuild build) {
    try {
      return Files.readString(build.lockFile());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + build.lockFile(), e);
    }
  }

  /** Every name with its history. */
  public List<NameRecord> names() {
    Path dir = root.resolve("names");
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    List<NameRecord> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
        out.add(JSON.readValue(f.toFile(), NameRecord.class));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the names in " + dir, e);
    }
    return out;
  }

  // ------------------------------------------------------------------------------------------

  private Optional<EnvironmentBuild> read(String id) {
    Path dir = root.resolve(id);
    Path json = dir.resolve("build.json");
    if (!Files.exists(json)) {
      return Optional.empty();
    }
    try {
      BuildRecord r = JSON.readValue(json.toFile(), BuildRecord.class);
      return Optional.of(
          new EnvironmentBuild(
              r.id(),
              r.backend(),
              r.platform(),
              Instant.parse(r.created()),
              Optional.ofNullable(r.specName()),
              dir,
              dir.resolve("prefix"),
              new Activation(r.variables(), r.pathPrepend(), r.unset()),
              currentNames(id)));
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot read " + json + "; remove the folder to rebuild it", e);
    }
  }

  private Optional<NameRecord> readName(String name) {
    if (!name.matches("[A-Za-z0-9._-]+")) {
      return Optional.empty();
    }
    Path f = root.resolve("names").resolve(name + ".json");
    if (!Files.exists(f)) {
      return Optional.empty();
    }
    try {
      return Optional.of(JSON.readValue(f.toFile(), NameRecord.class));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + f, e);
    }
  }

  private List<String> currentNames(String id) {
    return names().stream()
        .filter(n -> !n.builds().isEmpty() && n.builds().getLast().id().equals(id))
        .map(NameRecord::name)
        .toList();
  }

  private List<String> namesContaining(String id) {
    return names().stream()
        .filter(n -> n.builds().stream().anyMatch(e -> e.id().equals(id)))
        .map(NameRecord::name)
        .toList();
  }

  /**
   * Points {@code name} at {@code build} (its history keeps what it pointed at before).
   *
   * @throws IllegalArgumentException when {@code name} is not a store name ({@link #isStoreName})
   */
  public void name(String name, EnvironmentBuild build) {
    checkName(name);
    point(name, build.id());
  }

  private void point(String name, String id) {
    locked(
        "names",
        () -> {
          NameRecord r = readName(name).orElse(new NameRecord(name, List.of()));
          if (!r.builds().isEmpty() && r.builds().getLast().id().equals(id)) {
            return null;
          }
          List<NameEntry> builds = new ArrayList<>(r.builds());
          builds.removeIf(e -> e.id().equals(id));
          builds.add(new NameEntry(id, clock.instant().toString()));
          writeName(new NameRecord(name, builds));
          return null;
        });
  }

  private void dropFromName(String name, String id) {
    locked(
        "names",
        () -> {
          readName(name)
              .ifPresent(
                  r -> {
                    List<NameEntry> builds = new ArrayList<>(r.builds());
                    builds.removeIf(e -> e.id().equals(id));
                    if (builds.isEmpty()) {
                      deleteTree(root.resolve("names").resolve(name + ".json"));
                    } else {
                      writeName(new NameRecord(name, builds));
                    }
                  });
          return null;
        });
  }

  private void writeName(NameRecord r) {
    try {
      Files.createDirectories(root.resolve("names"), PrivateModes.FOLDER);
      writeAtomically(
          root.resolve("names").resolve(r.name() + ".json"), JSON.writeValueAsString(r));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the name " + r.name(), e);
    }
  }

  private int removePartial() {
    int removed = 0;
    if (!Files.isDirectory(root)) {
      return 0;
    }
    try (Stream<Path> dirs = Files.list(root)) {
      for (Path d : dirs.filter(Files::isDirectory).toList()) {
        String id = d.getFileName().toString();
        if (id.matches("[0-9a-f]{64}") && !Files.exists(d.resolve("build.json"))) {
          boolean gone =
              locked(
                  "build-" + id,
                  () -> {
                    if (Files.exists(d.resolve("build.json"))) {
                      return false;
                    }
                    deleteTree(d);
                    return true;
                  });
          removed += gone ? 1 : 0;
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + root, e);
    }
    return removed;
  }

  /**
   * Whether {@code name} can name builds: letters, digits, '.', '_' and '-', starting with a letter
   * or digit, at most 128 characters (it is a file name in the store).
   */
  public static boolean isStoreName(String name) {
    return name.length() <= 128 && STORE_NAME.matcher(name).matches();
  }

  static void checkName(String name) {
    if (!isStoreName(name)) {
      throw new IllegalArgumentException(
          "environment name \""
              + name
              + "\" may use letters, digits, '.', '_' and '-' (starting with a letter or digit)");
    }
  }

  private <T> T locked(String what, Supplier<T> body) {
    Path lockFile = root.resolve("locks").resolve(what + ".lock");
    ReentrantLock inProcess =
        PROCESS_LOCKS.computeIfAbsent(
            lockFile.toAbsolutePath().normalize(), p -> new ReentrantLock());
    inProcess.lock();
    try {
      Files.createDirectories(lockFile.getParent(), PrivateModes.FOLDER);
      try (FileChannel channel =
              FileChannel.open(
                  lockFile,
                  Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
                  PrivateModes.FILE);
          FileLock _ = channel.lock()) {
        return body.get();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot lock " + lockFile, e);
    } finally {
      inProcess.unlock();
    }
  }

  private static void writeAtomically(Path target, String text) throws IOException {
    Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
    try (FileChannel out =
        FileChannel.open(
            tmp,
            Set.of(
                StandardOpenOption.CREATE,
                StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING),
            PrivateModes.FILE)) {
      out.write(java.nio.ByteBuffer.wrap(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
      out.force(true);
    }
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  private static void deleteTree(Path p) {
    if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(p)) {
      for (Path x : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(x);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove " + p, e);
    }
  }
}
