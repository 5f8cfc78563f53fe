package io.migctl.nvidia.dev;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The character-device majors of {@code /proc/devices}: its {@code Character devices:} section, one
 * {@code MAJOR NAME} line per driver, read up to the {@code Block devices:} section.
 */
final class CharacterMajors {

  private static final Pattern LINE = Pattern.compile("(\\d{1,9})\\s+(\\S+)");

  private final Map<String, Integer> byName;

  private CharacterMajors(Map<String, Integer> byName) {
    this.byName = Map.copyOf(byName);
  }

  static CharacterMajors parse(String text) {
    Map<String, Integer> m = new HashMap<>();
    boolean character = false;
    for (String line : text.split("\n")) {
      String s = line.strip();
      if (s.endsWith("devices:")) {
        character = s.equals("Character devices:");
      } else if (character) {
        Matcher x = LINE.matcher(s);
        if (x.matches()) {
          m.putIfAbsent(x.group(2), Integer.parseInt(x.group(1)));
        }
      }
    }
    return new CharacterMajors(m);
  }

  /** The major of the first driver of these names that is listed. */
  OptionalInt major(String... names) {
    for (String name : names) {
      Optional<Integer> major = Optional.ofNullable(byName.get(name));
      if (major.isPresent()) {
        return OptionalInt.of(major.get());
      }
    }
    return OptionalInt.empty();
  }

  /** Every major in use. */
  Set<Integer> used() {
    return Set.copyOf(byName.values());
  }
}
