package io.migctl.env.spec;

import io.migctl.core.env.BuildTarget;
import io.migctl.core.env.CanonicalSpec;
import io.migctl.core.env.EnvironmentSpec;
import io.migctl.core.input.InputLimits;
import io.migctl.core.input.InvalidTextException;
import io.migctl.core.input.Utf8Text;
import io.migctl.input.TextFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * An environment file read for one build target, exactly as {@code env create} builds it and {@code
 * env check} shows it: the spec with its pip paths made absolute against the file's folder ({@link
 * PipPaths}), its canonical form, whose hash is the build's id, the file's text and the warnings
 * ({@link ParsedSpec}).
 *
 * <p>Every path that reads a spec file goes through here ({@code env create}, {@code env check},
 * {@code submit --env FILE}, {@code up}'s environments), so all of them decode strictly, hold to
 * {@link InputLimits} and refuse with the same messages: an {@link IllegalArgumentException} that
 * names the file, for anything in the input, never another exception.
 *
 * @param spec the spec as it is built
 * @param target the backend and platform it was read for
 * @param text the file's text, kept with the build
 * @param canonical the canonical form; its hash is the build id
 * @param warnings what conda would ignore in the file, in file order
 */
public record CheckedSpec(
    EnvironmentSpec spec,
    BuildTarget target,
    String text,
    CanonicalSpec canonical,
    List<String> warnings) {

  public CheckedSpec {
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(text, "text");
    Objects.requireNonNull(canonical, "canonical");
    warnings = List.copyOf(warnings);
  }

  /** The build id: the hash of the canonical form. */
  public String id() {
    return canonical.hash();
  }

  /**
   * Reads a spec file; its pip paths are relative to its folder.
   *
   * @throws IllegalArgumentException naming the file when it cannot be read as a spec: missing, a
   *     folder, unreadable, too large, not UTF-8, not a valid environment file; a file that cannot
   *     be read is worded as every file migctl reads ({@link TextFiles#problem})
   */
  public static CheckedSpec read(Path file, BuildTarget target) {
    String source = file.toString();
    byte[] bytes;
    try {
      bytes = TextFiles.readBytes(file, source);
    } catch (IOException e) {
      throw new InvalidTextException(source + ": " + TextFiles.problem(e));
    }
    return of(bytes, source, file.toAbsolutePath().normalize().getParent(), target);
  }

  /**
   * Reads a spec from a stream, such as standard input; its pip paths are relative to {@code
   * directory} (the working directory, for standard input).
   *
   * @throws IllegalArgumentException as {@link #read(Path, BuildTarget)}
   */
  public static CheckedSpec read(
      InputStream in, String source, Path directory, BuildTarget target) {
    byte[] bytes;
    try {
      bytes = TextFiles.readBytes(in, source);
    } catch (IOException e) {
      throw new InvalidTextException(source + ": " + TextFiles.problem(e));
    }
    return of(bytes, source, directory, target);
  }

  /**
   * A spec from its bytes. Pure.
   *
   * @param source names the input in messages
   * @param directory the folder pip paths are relative to, absolute
   * @throws IllegalArgumentException when the bytes are not a valid spec for {@code target}
   */
  public static CheckedSpec of(byte[] bytes, String source, Path directory, BuildTarget target) {
    String text = Utf8Text.decode(bytes, source);
    ParsedSpec parsed = EnvironmentFiles.read(text, source, target);
    EnvironmentSpec spec = PipPaths.resolve(parsed.spec(), directory);
    return new CheckedSpec(spec, target, text, CanonicalSpec.of(spec, target), parsed.warnings());
  }
}
