package io.migctl.env.spec;

import io.migctl.core.env.EnvironmentSpec;
import java.util.List;
import java.util.Objects;

/**
 * An environment file as read: the spec, and a warning for each thing in the file that conda reads
 * but ignores (an unknown key, bracket text that is not {@code key=value}, a {@code #} comment in a
 * quoted MatchSpec, a pip option that pip ignores after a requirement). A warning reads like a
 * refusal's message, {@code source:line: element: what}, and changes nothing: the file is accepted.
 *
 * @param spec the spec
 * @param warnings in file order; empty when there is none
 */
public record ParsedSpec(EnvironmentSpec spec, List<String> warnings) {

  public ParsedSpec {
    Objects.requireNonNull(spec, "spec");
    warnings = List.copyOf(warnings);
  }
}
