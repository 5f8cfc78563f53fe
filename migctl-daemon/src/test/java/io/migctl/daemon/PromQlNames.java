package io.migctl.daemon;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The metric and label names a PromQL expression uses, found by a small tokenizer (not a full
 * parser: {@code promtool} checks the syntax). Strings, durations, ranges, numbers and Grafana
 * variables ({@code $x}, {@code ${x}}) are skipped; function and aggregation names are told apart
 * from metric names by what follows them. Label names come from matchers ({@code {a="…"}}) and from
 * the lists after {@code by}, {@code without}, {@code on}, {@code ignoring}, {@code group_left} and
 * {@code group_right}.
 */
record PromQlNames(Set<String> metrics, Set<String> labels) {

  private static final Set<String> AGGREGATIONS =
      Set.of(
          "sum",
          "min",
          "max",
          "avg",
          "group",
          "stddev",
          "stdvar",
          "count",
          "count_values",
          "bottomk",
          "topk",
          "quantile",
          "limitk",
          "limit_ratio");
  private static final Set<String> LABEL_LISTS =
      Set.of("by", "without", "on", "ignoring", "group_left", "group_right");
  private static final Set<String> KEYWORDS =
      Set.of("and", "or", "unless", "bool", "offset", "atan2", "inf", "nan", "start", "end");

  private enum Kind {
    IDENT,
    PUNCT,
    OTHER
  }

  private record Token(Kind kind, String text) {}

  static PromQlNames of(String expr) {
    Set<String> metrics = new LinkedHashSet<>();
    Set<String> labels = new LinkedHashSet<>();
    List<Token> tokens = tokenize(expr, labels);
    for (int i = 0; i < tokens.size(); i++) {
      Token t = tokens.get(i);
      if (t.kind() != Kind.IDENT) {
        continue;
      }
      String lower = t.text().toLowerCase(Locale.ROOT);
      boolean call = i + 1 < tokens.size() && tokens.get(i + 1).text().equals("(");
      if (LABEL_LISTS.contains(lower)) {
        if (call) {
          int j = i + 2;
          for (; j < tokens.size() && !tokens.get(j).text().equals(")"); j++) {
            if (tokens.get(j).kind() == Kind.IDENT) {
              labels.add(tokens.get(j).text());
            }
          }
          i = j;
        }
      } else if (!call && !AGGREGATIONS.contains(lower) && !KEYWORDS.contains(lower)) {
        metrics.add(t.text());
      }
    }
    return new PromQlNames(Set.copyOf(metrics), Set.copyOf(labels));
  }

  private static List<Token> tokenize(String s, Set<String> matcherLabels) {
    List<Token> out = new ArrayList<>();
    int i = 0;
    int n = s.length();
    while (i < n) {
      char c = s.charAt(i);
      if (Character.isWhitespace(c)) {
        i++;
      } else if (c == '#') {
        while (i < n && s.charAt(i) != '\n') {
          i++;
        }
      } else if (c == '"' || c == '\'' || c == '`') {
        i = skipString(s, i);
        out.add(new Token(Kind.OTHER, "\"\""));
      } else if (c == '{') {
        int end = i + 1;
        int nameStart = -1;
        while (end < n && s.charAt(end) != '}') {
          char d = s.charAt(end);
          if (d == '"' || d == '\'' || d == '`') {
            end = skipString(s, end);
            continue;
          }
          if (isIdentStart(d) && nameStart < 0) {
            nameStart = end;
            while (end < n && isIdentPart(s.charAt(end))) {
              end++;
            }
            matcherLabels.add(s.substring(nameStart, end));
            continue;
          }
          if (d == ',') {
            nameStart = -1;
          }
          end++;
        }
        i = end + 1;
        out.add(new Token(Kind.OTHER, "{}"));
      } else if (c == '[') {
        while (i < n && s.charAt(i) != ']') {
          i++;
        }
        i++;
        out.add(new Token(Kind.OTHER, "[]"));
      } else if (c == '$') {
        i++;
        if (i < n && s.charAt(i) == '{') {
          while (i < n && s.charAt(i) != '}') {
            i++;
          }
          i++;
        } else {
          while (i < n && isIdentPart(s.charAt(i))) {
            i++;
          }
        }
        out.add(new Token(Kind.OTHER, "$"));
      } else if (Character.isDigit(c)
          || (c == '.' && i + 1 < n && Character.isDigit(s.charAt(i + 1)))) {
        int start = i;
        while (i < n && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '.')) {
          i++;
        }
        out.add(new Token(Kind.OTHER, s.substring(start, i)));
      } else if (isIdentStart(c)) {
        int start = i;
        while (i < n && isIdentPart(s.charAt(i))) {
          i++;
        }
        out.add(new Token(Kind.IDENT, s.substring(start, i)));
      } else {
        out.add(new Token(Kind.PUNCT, String.valueOf(c)));
        i++;
      }
    }
    return out;
  }

  /** The index after the string literal that starts at {@code start}. */
  private static int skipString(String s, int start) {
    char quote = s.charAt(start);
    int i = start + 1;
    while (i < s.length() && s.charAt(i) != quote) {
      i += (s.charAt(i) == '\\' && quote != '`') ? 2 : 1;
    }
    return i + 1;
  }

  private static boolean isIdentStart(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
  }

  private static boolean isIdentPart(char c) {
    return isIdentStart(c) || (c >= '0' && c <= '9');
  }
}
