package io.migctl.core.mig;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A MIG profile name as NVIDIA's tools print it: {@code <g>g.<gb>gb[+attr]} for a GPU-instance
 * profile ({@code 3g.20gb}, {@code 1g.5gb+me}) and {@code <c>c.<g>g.<gb>gb} for a compute-instance
 * profile that uses fewer compute slices than its GPU instance ({@code 1c.3g.20gb}).
 *
 * <p>The syntax is the one mig-parted reads (go-nvlib {@code parseMigProfile}): after the numbers
 * an optional sign, {@code +} or {@code -}, then one or more attributes separated by commas ({@code
 * 1g.24gb+me.all}, {@code 1g.24gb-me}, {@code 1g.5gb+me,gfx}). An attribute is letters, digits and
 * dots, starts with a letter, does not end with a dot, and appears once; {@code +} and {@code -}
 * are never mixed. Whether a GPU has such a profile is decided elsewhere.
 *
 * @param computeSlices the compute instance's compute slices, or 0 for a GPU-instance name
 * @param gpuSlices the GPU instance's compute slices (the {@code g} number)
 * @param memoryGB the memory in GB as the name states it
 * @param attributes the attributes in order, each with its sign, all with the same sign: {@code
 *     +me}, {@code +me.all}, {@code -me}, {@code +gfx}; {@code 1g.5gb+me,gfx} has {@code +me} and
 *     {@code +gfx}
 */
public record ProfileName(int computeSlices, int gpuSlices, int memoryGB, List<String> attributes) {

  private static final Pattern SYNTAX =
      Pattern.compile("(?:(\\d+)c\\.)?(\\d+)g\\.(\\d+)gb(?:([+-])(.*))?", Pattern.DOTALL);
  private static final Pattern NAME = Pattern.compile("[A-Za-z](?:[A-Za-z0-9.]*[A-Za-z0-9])?");

  public ProfileName {
    attributes = List.copyOf(attributes);
    if (gpuSlices < 1) {
      throw new IllegalArgumentException(
          "a profile has at least 1 compute slice, was " + gpuSlices);
    }
    if (computeSlices < 0 || computeSlices > gpuSlices) {
      throw new IllegalArgumentException(
          "compute-instance slices must be 1.."
              + gpuSlices
              + " in a "
              + gpuSlices
              + "g profile, was "
              + computeSlices);
    }
    if (memoryGB < 1) {
      throw new IllegalArgumentException("a profile has at least 1 GB of memory, was " + memoryGB);
    }
    for (String a : attributes) {
      if (a.isEmpty()
          || (a.charAt(0) != '+' && a.charAt(0) != '-')
          || !NAME.matcher(a.substring(1)).matches()) {
        throw new IllegalArgumentException(
            "profile attribute \""
                + a
                + "\" is not +name or -name (letters, digits and dots, starting with a letter)");
      }
      if (a.charAt(0) != attributes.getFirst().charAt(0)) {
        throw new IllegalArgumentException(
            "profile attributes " + attributes + " mix + and -; a profile name has one sign");
      }
    }
    if (attributes.stream().distinct().count() != attributes.size()) {
      throw new IllegalArgumentException("profile attributes " + attributes + " repeat one");
    }
  }

  /** A GPU-instance name without attributes, e.g. {@code of(3, 20)} is {@code 3g.20gb}. */
  public static ProfileName of(int gpuSlices, int memoryGB) {
    return new ProfileName(0, gpuSlices, memoryGB, List.of());
  }

  /**
   * Parses a profile name; a leading {@code MIG } (as NVML's profile info and {@code nvidia-smi -L}
   * print it) is accepted. {@code 3c.3g.20gb} is normalised to {@code 3g.20gb}, as NVIDIA prints
   * it.
   *
   * @throws IllegalArgumentException naming the text and the accepted form
   */
  public static ProfileName parse(String text) {
    String s = text.strip();
    if (s.startsWith("MIG ")) {
      s = s.substring(4).strip();
    }
    Matcher m = SYNTAX.matcher(s);
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "\""
              + text
              + "\" is not a MIG profile name; expected <g>g.<gb>gb with optional attributes"
              + " (3g.20gb, 1g.5gb+me) or <c>c.<g>g.<gb>gb for a compute instance (1c.3g.20gb)");
    }
    List<String> attributes = m.group(4) == null ? List.of() : attributes(text, s, m);
    try {
      int g = Integer.parseInt(m.group(2));
      int c = m.group(1) == null ? g : Integer.parseInt(m.group(1));
      if (c < 1 || c > g) {
        throw new IllegalArgumentException(
            "it asks for " + c + " compute slices inside a " + g + "g instance; use 1.." + g + "c");
      }
      return new ProfileName(c == g ? 0 : c, g, Integer.parseInt(m.group(3)), attributes);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "\"" + text + "\" is not a valid MIG profile name: a number in it is too large", e);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "\"" + text + "\" is not a valid MIG profile name: " + e.getMessage(), e);
    }
  }

  /** The signed attributes after the numbers, checked as go-nvlib checks them. */
  private static List<String> attributes(String text, String name, Matcher m) {
    String sign = m.group(4);
    String list = m.group(5);
    String problem = null;
    List<String> names = List.of(list.split(",", -1));
    for (String a : names) {
      if (a.isEmpty()) {
        problem = "an attribute after " + sign + " is empty";
      } else if (a.contains("+") || a.contains("-")) {
        problem =
            "it has more than one + or -; attributes are separated by commas: write "
                + name.substring(0, m.start(4))
                + sign
                + String.join(",", list.split("[+-]"));
      } else if (!NAME.matcher(a).matches()) {
        problem =
            "attribute \""
                + a
                + "\" is not letters, digits and dots starting with a letter and not ending with"
                + " a dot";
      }
      if (problem != null) {
        break;
      }
    }
    if (problem == null && names.stream().distinct().count() != names.size()) {
      problem = "an attribute is given twice";
    }
    if (problem != null) {
      throw new IllegalArgumentException("\"" + text + "\" is not a MIG profile name: " + problem);
    }
    return names.stream().map(n -> sign + n).toList();
  }

  /** Whether this names a compute instance smaller than its GPU instance ({@code 1c.3g.20gb}). */
  public boolean isComputeInstance() {
    return computeSlices != 0;
  }

  /** The GPU-instance part of this name: {@code 1c.3g.20gb} gives {@code 3g.20gb}. */
  public ProfileName gpuInstance() {
    return computeSlices == 0 ? this : new ProfileName(0, gpuSlices, memoryGB, attributes);
  }

  /**
   * The compute-instance name of {@code slices} compute slices inside this GPU-instance profile.
   */
  public ProfileName withComputeSlices(int slices) {
    if (slices < 1 || slices > gpuSlices) {
      throw new IllegalArgumentException(
          "a compute instance of " + this + " has 1.." + gpuSlices + " slices, not " + slices);
    }
    return new ProfileName(slices == gpuSlices ? 0 : slices, gpuSlices, memoryGB, attributes);
  }

  /** Whether the name carries media extensions ({@code +me} or {@code +me.all}). */
  public boolean hasMediaExtensions() {
    return attributes.stream().anyMatch(a -> a.equals("+me") || a.startsWith("+me."));
  }

  /**
   * Whether the name takes every media engine of the GPU ({@code +me.all}); beside such an instance
   * NVML allows only instances without media engines.
   */
  public boolean takesAllMedia() {
    return attributes.contains("+me.all");
  }

  /** Whether the name goes without media engines ({@code -me}). */
  public boolean lacksMedia() {
    return attributes.contains("-me");
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder();
    if (computeSlices != 0) {
      b.append(computeSlices).append("c.");
    }
    b.append(gpuSlices).append("g.").append(memoryGB).append("gb");
    if (!attributes.isEmpty()) {
      b.append(attributes.getFirst().charAt(0));
      b.append(String.join(",", attributes.stream().map(a -> a.substring(1)).toList()));
    }
    return b.toString();
  }
}
