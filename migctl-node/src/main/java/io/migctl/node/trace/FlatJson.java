package io.migctl.node.trace;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads a flat JSON object of scalars or number lists ({@code {"0": 120, "1": [2, 1]}}). */
public final class FlatJson {

  private static final Pattern ENTRY =
      Pattern.compile("\"([^\"]*)\"\\s*:\\s*(\"[^\"]*\"|\\[[^\\]]*\\]|[-+0-9.eE]+)");

  private FlatJson() {}

  /** Key → value text (strings unquoted, lists as {@code [..]} text). */
  public static Map<String, String> parse(String text) {
    Map<String, String> out = new LinkedHashMap<>();
    Matcher m = ENTRY.matcher(text);
    while (m.find()) {
      String v = m.group(2);
      if (v.startsWith("\"")) {
        v = v.substring(1, v.length() - 1);
      }
      out.put(m.group(1), v);
    }
    return out;
  }
}
