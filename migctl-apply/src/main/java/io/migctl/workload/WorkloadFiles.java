package io.migctl.workload;

import io.migctl.core.workload.Workload;
import io.migctl.core.workload.WorkloadException;
import io.migctl.core.workload.WorkloadParser;
import io.migctl.input.LimitedYaml;
import io.migctl.input.TextFiles;
import io.migctl.nvidia.sim.SimulatedNodeSpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.constructor.StandardConstructor;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * Reads workload files ({@code migctl up}, {@code migctl mig plan}) and the examples bundled in the
 * CLI's jar.
 *
 * <p>The file is YAML 1.2 with the core schema ({@code on} and {@code yes} are strings); duplicate
 * keys are refused. It is read within migctl's input bounds (at most 4 MiB, strictly UTF-8, 64
 * levels deep: {@link TextFiles}, {@link LimitedYaml}). {@link WorkloadParser} checks the content;
 * its errors get the file and line in front: {@code workload.yml:14: jobs[2].command: is a plain
 * string, …}. A file reader also resolves every environment path against the file's directory and
 * checks that the file is there, and checks {@code node.simulate} as {@code --simulate} would.
 *
 * <p>Jobs are meant to run in the workload file's directory, so that relative script paths in
 * commands work: give {@code file.getParent()} to {@link Workload#jobSpecs(Optional)}.
 *
 * <p>Stateless and thread-safe.
 */
public final class WorkloadFiles {

  /** Where the examples lie on the classpath: one folder per example. */
  public static final String EXAMPLES = "io/migctl/cli/examples";

  /** The example migctl ships: a shared server with training, inference and preprocessing. */
  public static final String SHARED_SERVER = "shared-server";

  /** The workload file's name inside an example's folder. */
  public static final String WORKLOAD_FILE = "workload.yml";

  private WorkloadFiles() {}

  /**
   * Reads a workload file; the environments in the result are absolute, normalised paths.
   *
   * @throws WorkloadException naming the file, line and element when the file is missing,
   *     unreadable or wrong, or an environment file does not exist
   * @throws io.migctl.core.input.InvalidTextException naming the file when it is too large, nested
   *     too deeply or not UTF-8
   */
  public static Workload read(Path file) {
    String source = file.toString();
    String text;
    try {
      text = TextFiles.read(file, source);
    } catch (NoSuchFileException e) {
      throw new WorkloadException(
              "",
              "no such file"
                  + (Files.isDirectory(file.getParent() == null ? Path.of(".") : file.getParent())
                      ? ""
                      : " (nor its folder)")
                  + "; give the path of a workload file, e.g. examples/shared-server/workload.yml")
          .at(source);
    } catch (IOException e) {
      throw new WorkloadException("", TextFiles.problem(e)).at(source);
    }
    Parsed parsed = Parsed.of(text, source);
    Path dir = file.toAbsolutePath().normalize().getParent();
    Map<String, String> resolved = new LinkedHashMap<>();
    parsed
        .workload()
        .environments()
        .forEach(
            (name, path) -> {
              Path env = dir.resolve(path).normalize();
              if (!Files.isRegularFile(env)) {
                throw parsed.placed(
                    new WorkloadException(
                        "environments." + name,
                        path
                            + (Files.isDirectory(env)
                                ? " is a folder; give the environment.yml inside it"
                                : " does not exist (looked for "
                                    + env
                                    + "); paths are relative to the workload file's folder")));
              }
              resolved.put(name, env.toString());
            });
    return parsed.workload().withEnvironments(resolved);
  }

  /**
   * Reads workload text; environment paths stay as written and are not checked.
   *
   * @param source names the text in messages: a file name, {@code <stdin>}
   * @throws WorkloadException naming the source, line and element
   * @throws io.migctl.core.input.InvalidTextException naming the source when the text is nested too
   *     deeply or too large
   */
  public static Workload parse(String text, String source) {
    return Parsed.of(text, source).workload();
  }

  /**
   * Reads a bundled example from this class's class loader; its environments stay relative to the
   * example's folder. To run it, {@link #copyExample(String, Path)} it and {@link #read} the copy.
   *
   * @throws IllegalArgumentException when there is no such example
   * @throws WorkloadException when the bundled files are wrong (a build defect)
   */
  public static Workload readExample(String name) {
    return readExample(WorkloadFiles.class.getClassLoader(), name);
  }

  /** {@link #readExample(String)} from {@code loader}. */
  public static Workload readExample(ClassLoader loader, String name) {
    String root = exampleRoot(loader, name);
    String source = "classpath:" + root + "/" + WORKLOAD_FILE;
    Parsed parsed = Parsed.of(resourceText(loader, root + "/" + WORKLOAD_FILE), source);
    parsed
        .workload()
        .environments()
        .forEach(
            (env, path) -> {
              String resource = normalise(root + "/" + path);
              if (resource == null || loader.getResource(resource) == null) {
                throw parsed.placed(
                    new WorkloadException(
                        "environments." + env, path + " is not in the example's folder"));
              }
            });
    return parsed.workload();
  }

  /**
   * Copies a bundled example into {@code directory} (made when missing; files already there are
   * replaced), so that its jobs have a working directory with their scripts.
   *
   * @return the copied workload file, ready for {@link #read}
   * @throws IllegalArgumentException when there is no such example
   * @throws UncheckedIOException when the files cannot be copied
   */
  public static Path copyExample(String name, Path directory) {
    return copyExample(WorkloadFiles.class.getClassLoader(), name, directory);
  }

  /** {@link #copyExample(String, Path)} from {@code loader}. */
  public static Path copyExample(ClassLoader loader, String name, Path directory) {
    String root = exampleRoot(loader, name);
    URL url = loader.getResource(root + "/" + WORKLOAD_FILE);
    try {
      URI uri = url.toURI();
      switch (uri.getScheme()) {
        case "file" -> copyTree(Path.of(uri).getParent(), directory);
        case "jar" -> {
          String spec = uri.getRawSchemeSpecificPart();
          int bang = spec.indexOf("!/");
          Path jar = Path.of(new URI(spec.substring(0, bang)));
          try (FileSystem fs = FileSystems.newFileSystem(jar)) {
            copyTree(fs.getPath("/" + root), directory);
          }
        }
        default ->
            throw new IllegalStateException(
                "cannot copy the example from " + url + "; run migctl from its jar or a folder");
      }
    } catch (URISyntaxException e) {
      throw new IllegalStateException("the example's location " + url + " is not a URI", e);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot copy the example " + name + " into " + directory + ": " + TextFiles.problem(e),
          e);
    }
    return directory.resolve(WORKLOAD_FILE);
  }

  private static void copyTree(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    List<Path> entries;
    try (Stream<Path> walk = Files.walk(from)) {
      entries = walk.sorted().toList();
    }
    for (Path source : entries) {
      Path relative = from.relativize(source);
      List<String> parts = new ArrayList<>();
      relative.forEach(p -> parts.add(p.toString()));
      if (parts.contains("__pycache__") || source.toString().endsWith(".pyc")) {
        continue;
      }
      Path target = to.resolve(String.join("/", parts)).normalize();
      if (!target.startsWith(to.normalize())) {
        throw new IOException(relative + " lies outside the example's folder");
      }
      if (Files.isDirectory(source)) {
        Files.createDirectories(target);
      } else {
        Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }

  private static String exampleRoot(ClassLoader loader, String name) {
    String root = EXAMPLES + "/" + name;
    if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]*")
        || loader.getResource(root + "/" + WORKLOAD_FILE) == null) {
      throw new IllegalArgumentException(
          "migctl has no bundled example \""
              + name
              + "\"; the bundled one is "
              + SHARED_SERVER
              + (name.equals(SHARED_SERVER)
                  ? " (this build of migctl lacks it: build the CLI jar with Maven)"
                  : ""));
    }
    return root;
  }

  private static String resourceText(ClassLoader loader, String resource) {
    try (InputStream in = loader.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalArgumentException("no resource " + resource);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + resource, e);
    }
  }

  /** {@code a/b/../c} as {@code a/c}; null when it climbs above the root. */
  private static String normalise(String path) {
    List<String> parts = new ArrayList<>();
    for (String p : path.split("/")) {
      if (p.isEmpty() || p.equals(".")) {
        continue;
      }
      if (p.equals("..")) {
        if (parts.isEmpty()) {
          return null;
        }
        parts.removeLast();
      } else {
        parts.add(p);
      }
    }
    return String.join("/", parts);
  }

  /** A workload read from text, with its YAML nodes to find the line of an element. */
  private record Parsed(Workload workload, Optional<Node> root, String source) {

    static Parsed of(String text, String source) {
      LoadSettings settings = LimitedYaml.strictSettings(source);
      String body = text.startsWith("\uFEFF") ? text.substring(1) : text;
      Optional<Node> root;
      Object tree;
      try {
        List<Node> documents = LimitedYaml.composeAll(body, settings, source);
        if (documents.size() > 1) {
          throw new WorkloadException(
                  "",
                  "holds "
                      + documents.size()
                      + " YAML documents (separated by ---); a workload file holds one")
              .at(source);
        }
        root = documents.stream().findFirst();
        tree = new StandardConstructor(settings).constructSingleDocument(root);
      } catch (MarkedYamlEngineException e) {
        String where =
            e.getProblemMark()
                .or(e::getContextMark)
                .map(m -> source + ":" + (m.getLine() + 1) + ":" + (m.getColumn() + 1))
                .orElse(source);
        String problem =
            e.getContext() == null || e.getContext().isEmpty()
                ? e.getProblem()
                : e.getContext() + ": " + e.getProblem();
        WorkloadException w =
            new WorkloadException("", "is not valid YAML (" + oneLine(problem) + ")");
        w.initCause(e);
        throw w.at(where);
      } catch (YamlEngineException e) {
        WorkloadException w =
            new WorkloadException("", "is not valid YAML (" + oneLine(e.getMessage()) + ")");
        w.initCause(e);
        throw w.at(source);
      }
      Parsed partial = new Parsed(null, root, source);
      Workload workload;
      try {
        workload = WorkloadParser.parse(tree);
      } catch (WorkloadException e) {
        throw partial.placed(e);
      }
      workload
          .simulate()
          .ifPresent(
              spec -> {
                try {
                  SimulatedNodeSpec.parse(spec);
                } catch (IllegalArgumentException e) {
                  WorkloadException w = new WorkloadException("node.simulate", e.getMessage());
                  w.initCause(e);
                  throw partial.placed(w);
                }
              });
      return new Parsed(workload, root, source);
    }

    /** {@code e} with the source and the line of its element in front. */
    WorkloadException placed(WorkloadException e) {
      return e.at(root.flatMap(r -> line(r, e.path())).map(l -> source + ":" + l).orElse(source));
    }

    private static String oneLine(String s) {
      return s == null ? "" : s.strip().replaceAll("\\s*\\n\\s*", " ");
    }

    /**
     * The 1-based line of the element at {@code path} ({@code jobs[2].env.X}), or of the deepest
     * part of it that exists.
     */
    static Optional<Integer> line(Node root, String path) {
      Node node = root;
      Optional<Integer> line = Optional.empty();
      for (Object step : steps(path)) {
        Node next = null;
        Node lineOf = null;
        if (step instanceof String key && node instanceof MappingNode m) {
          for (NodeTuple t : m.getValue()) {
            if (t.getKeyNode() instanceof ScalarNode s && s.getValue().equals(key)) {
              next = t.getValueNode();
              lineOf = t.getKeyNode();
            }
          }
        } else if (step instanceof Integer i
            && node instanceof SequenceNode s
            && i < s.getValue().size()) {
          next = s.getValue().get(i);
          lineOf = next;
        }
        if (next == null) {
          break;
        }
        line = lineOf.getStartMark().map(m -> m.getLine() + 1);
        node = next;
      }
      return line.isPresent()
          ? line
          : root.getStartMark().map(m -> m.getLine() + 1).filter(l -> !path.isEmpty());
    }

    /** {@code jobs[2].env."A B"} as {@code ["jobs", 2, "env", "A B"]}. */
    private static List<Object> steps(String path) {
      List<Object> steps = new ArrayList<>();
      int i = 0;
      while (i < path.length()) {
        char c = path.charAt(i);
        if (c == '.') {
          i++;
        } else if (c == '[') {
          int end = path.indexOf(']', i);
          if (end < 0) {
            break;
          }
          steps.add(Integer.parseInt(path.substring(i + 1, end)));
          i = end + 1;
        } else if (c == '"') {
          StringBuilder b = new StringBuilder();
          int j = i + 1;
          while (j < path.length() && path.charAt(j) != '"') {
            if (path.charAt(j) == '\\' && j + 1 < path.length()) {
              j++;
            }
            b.append(path.charAt(j++));
          }
          steps.add(b.toString());
          i = j + 1;
        } else {
          int j = i;
          while (j < path.length() && path.charAt(j) != '.' && path.charAt(j) != '[') {
            j++;
          }
          steps.add(path.substring(i, j));
          i = j;
        }
      }
      return steps;
    }
  }
}
