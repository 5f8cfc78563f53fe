package io.migctl.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What Grafana needs from a provisioned or imported dashboard, checked on its JSON: the problems
 * found, each a sentence naming the panel or variable; and every PromQL query it sends.
 */
final class GrafanaDashboard {
  private GrafanaDashboard() {}

  /** The data-source variable every panel and query uses. */
  static final String DS_VARIABLE = "DS_PROMETHEUS";

  static final String DS_REF = "${" + DS_VARIABLE + "}";

  /** Schema version 39 is Grafana 10.4; older dashboards are migrated when loaded. */
  static final int MIN_SCHEMA_VERSION = 39;

  static final Set<String> PANEL_TYPES =
      Set.of(
          "row",
          "timeseries",
          "stat",
          "table",
          "bargauge",
          "gauge",
          "text",
          "heatmap",
          "state-timeline",
          "piechart");

  static final Set<String> REQUIRED_VARIABLES = Set.of(DS_VARIABLE, "Hostname", "gpu");

  /** Grafana's own variables, with a value that stands in for them when a query is parsed. */
  static final Map<String, String> BUILTIN_VARIABLES =
      Map.of("__rate_interval", "5m", "__interval", "1m", "__range", "1h");

  private static final Pattern VARIABLE =
      Pattern.compile("\\$\\{(\\w+)(?::[^}]*)?}|\\$(\\w+)|\\[\\[(\\w+)(?::[^]]*)?]]");
  private static final Pattern LEGEND_LABEL = Pattern.compile("\\{\\{\\s*([^}\\s]+)\\s*}}");
  private static final Pattern LABEL_VALUES =
      Pattern.compile("^\\s*label_values\\((?:(.*),)?\\s*(\\w+)\\s*\\)\\s*$", Pattern.DOTALL);
  private static final Pattern QUERY_RESULT =
      Pattern.compile("^\\s*query_result\\((.*)\\)\\s*$", Pattern.DOTALL);
  private static final Pattern UID = Pattern.compile("[A-Za-z0-9_-]{1,40}");

  /** One PromQL query: where it is, and its text as Grafana holds it (variables unexpanded). */
  record Query(String where, String expr) {
    /** The query with Grafana's own variables replaced by durations, ready for promtool. */
    String expanded() {
      String out = expr;
      for (Map.Entry<String, String> e : BUILTIN_VARIABLES.entrySet()) {
        out =
            out.replace("${" + e.getKey() + "}", e.getValue())
                .replace("$" + e.getKey(), e.getValue());
      }
      return out;
    }
  }

  /** A label named in a legend or a variable, and where. */
  record LabelUse(String where, String label) {}

  /** Every PromQL query: targets, annotations and variable queries (their series selectors). */
  static List<Query> queries(JsonNode dashboard) {
    List<Query> out = new ArrayList<>();
    for (JsonNode panel : allPanels(dashboard)) {
      for (JsonNode target : panel.path("targets")) {
        out.add(
            new Query(
                "panel "
                    + panel.path("id").asText()
                    + " ("
                    + panel.path("title").asText()
                    + ") target "
                    + target.path("refId").asText(),
                target.path("expr").asText("")));
      }
    }
    for (JsonNode a : dashboard.path("annotations").path("list")) {
      if (a.hasNonNull("expr")) {
        out.add(new Query("annotation " + a.path("name").asText(), a.path("expr").asText()));
      }
    }
    for (JsonNode v : dashboard.path("templating").path("list")) {
      if (!v.path("type").asText().equals("query")) {
        continue;
      }
      String q = variableQuery(v);
      Matcher lv = LABEL_VALUES.matcher(q);
      Matcher qr = QUERY_RESULT.matcher(q);
      if (lv.matches() && lv.group(1) != null) {
        out.add(new Query("variable " + v.path("name").asText(), lv.group(1).strip()));
      } else if (qr.matches()) {
        out.add(new Query("variable " + v.path("name").asText(), qr.group(1).strip()));
      }
    }
    return out;
  }

  /** Labels that legends ({{label}}) and label_values() variables name. */
  static List<LabelUse> labelUses(JsonNode dashboard) {
    List<LabelUse> out = new ArrayList<>();
    for (JsonNode panel : allPanels(dashboard)) {
      for (JsonNode target : panel.path("targets")) {
        Matcher m = LEGEND_LABEL.matcher(target.path("legendFormat").asText(""));
        while (m.find()) {
          out.add(
              new LabelUse(
                  "legend of panel "
                      + panel.path("id").asText()
                      + " target "
                      + target.path("refId").asText(),
                  m.group(1)));
        }
      }
    }
    for (JsonNode v : dashboard.path("templating").path("list")) {
      Matcher lv = LABEL_VALUES.matcher(variableQuery(v));
      if (v.path("type").asText().equals("query") && lv.matches()) {
        out.add(new LabelUse("variable " + v.path("name").asText(), lv.group(2)));
      }
    }
    return out;
  }

  /** What Grafana would refuse or show wrongly; empty when the dashboard is sound. */
  static List<String> problems(JsonNode d) {
    List<String> problems = new ArrayList<>();
    if (!d.isObject()) {
      return List.of("the dashboard is not a JSON object");
    }
    if (d.path("title").asText("").isBlank()) {
      problems.add("the dashboard has no title");
    }
    if (!UID.matcher(d.path("uid").asText("")).matches()) {
      problems.add("the dashboard's uid is missing or not 1-40 letters, digits, '-' or '_'");
    }
    if (!d.path("schemaVersion").isInt() || d.path("schemaVersion").asInt() < MIN_SCHEMA_VERSION) {
      problems.add("schemaVersion is missing or below " + MIN_SCHEMA_VERSION);
    }
    if (d.has("id") && !d.get("id").isNull()) {
      problems.add("the dashboard's id must be null: Grafana assigns it");
    }

    Set<String> variables = checkTemplating(d, problems);
    checkPanels(d, problems);

    for (Query q : queries(d)) {
      Matcher m = VARIABLE.matcher(q.expr());
      while (m.find()) {
        String name =
            m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3);
        if (!variables.contains(name) && !BUILTIN_VARIABLES.containsKey(name)) {
          problems.add(
              q.where() + " uses the variable $" + name + ", which the dashboard does not define");
        }
      }
    }
    return problems;
  }

  private static Set<String> checkTemplating(JsonNode d, List<String> problems) {
    Set<String> names = new LinkedHashSet<>();
    JsonNode list = d.path("templating").path("list");
    if (!list.isArray()) {
      problems.add("templating.list is missing");
      return names;
    }
    for (JsonNode v : list) {
      String name = v.path("name").asText("");
      String type = v.path("type").asText("");
      if (name.isBlank() || !names.add(name)) {
        problems.add("templating variable '" + name + "' has no name or a duplicate one");
      }
      if (type.equals("datasource")) {
        if (!v.path("query").asText("").equals("prometheus")) {
          problems.add("data-source variable " + name + " must list Prometheus data sources");
        }
      } else if (type.equals("query")) {
        if (!isDatasourceRef(v.path("datasource"))) {
          problems.add("variable " + name + " must query the data source " + DS_REF);
        }
        if (variableQuery(v).isBlank()) {
          problems.add("variable " + name + " has no query");
        }
      } else if (!Set.of("custom", "constant", "interval", "textbox", "adhoc").contains(type)) {
        problems.add("variable " + name + " has an unknown type '" + type + "'");
      }
    }
    for (String required : REQUIRED_VARIABLES) {
      if (!names.contains(required)) {
        problems.add("the templating variable " + required + " is missing");
      }
    }
    for (JsonNode v : list) {
      if (v.path("name").asText().equals(DS_VARIABLE)
          && !v.path("type").asText().equals("datasource")) {
        problems.add(DS_VARIABLE + " must be a variable of type datasource");
      }
    }
    return names;
  }

  private static void checkPanels(JsonNode d, List<String> problems) {
    JsonNode top = d.path("panels");
    if (!top.isArray() || top.isEmpty()) {
      problems.add("the dashboard has no panels");
      return;
    }
    Set<Integer> ids = new HashSet<>();
    Map<Integer, String> titles = new HashMap<>();
    List<JsonNode> placed = new ArrayList<>();
    for (JsonNode panel : allPanels(d)) {
      String title = panel.path("title").asText("");
      String p = "panel " + panel.path("id").asText("?") + " (" + title + ")";
      if (!panel.path("id").isInt()) {
        problems.add(p + " has no integer id");
      } else if (!ids.add(panel.path("id").asInt())) {
        problems.add(
            p
                + ": duplicate panel id, also used by '"
                + titles.get(panel.path("id").asInt())
                + "'");
      } else {
        titles.put(panel.path("id").asInt(), title);
      }
      String type = panel.path("type").asText("");
      if (!PANEL_TYPES.contains(type)) {
        problems.add(p + " has the unknown type '" + type + "' (known: " + PANEL_TYPES + ")");
      }
      if (title.isBlank()) {
        problems.add(p + " has no title");
      }
      JsonNode g = panel.path("gridPos");
      if (!(g.path("x").isInt()
          && g.path("y").isInt()
          && g.path("w").isInt()
          && g.path("h").isInt())) {
        problems.add(p + " has no gridPos with integer x, y, w and h");
      } else {
        int x = g.get("x").asInt();
        int w = g.get("w").asInt();
        if (x < 0 || g.get("y").asInt() < 0 || w < 1 || g.get("h").asInt() < 1 || x + w > 24) {
          problems.add(
              p
                  + " has gridPos "
                  + g
                  + " outside the 24 columns (x >= 0, w >= 1, x + w <= 24, y >= 0, h >= 1)");
        } else if (isTopLevel(top, panel)) {
          for (JsonNode other : placed) {
            if (overlap(g, other.path("gridPos"))) {
              problems.add(
                  p
                      + " overlaps panel "
                      + other.path("id").asText()
                      + " ("
                      + other.path("title").asText()
                      + ")");
            }
          }
          placed.add(panel);
        }
      }
      if (type.equals("row")) {
        continue;
      }
      if (!isDatasourceRef(panel.path("datasource"))) {
        problems.add(
            p + " must use the data source " + DS_REF + ", not " + panel.path("datasource"));
      }
      JsonNode targets = panel.path("targets");
      if (!targets.isArray() || targets.isEmpty()) {
        problems.add(p + " has no targets");
        continue;
      }
      Set<String> refIds = new HashSet<>();
      for (JsonNode t : targets) {
        String ref = t.path("refId").asText("");
        String at = p + " target " + (ref.isBlank() ? "?" : ref);
        if (ref.isBlank()) {
          problems.add(at + " has no refId");
        } else if (!refIds.add(ref)) {
          problems.add(at + ": duplicate refId");
        }
        if (t.path("expr").asText("").isBlank()) {
          problems.add(at + " has no expr");
        }
        if (t.path("legendFormat").asText("").isBlank()) {
          problems.add(at + " has no legendFormat");
        }
        if (t.has("datasource") && !isDatasourceRef(t.get("datasource"))) {
          problems.add(at + " must use the data source " + DS_REF + ", not " + t.get("datasource"));
        }
      }
    }
    for (JsonNode a : d.path("annotations").path("list")) {
      if (a.hasNonNull("expr") && !isDatasourceRef(a.path("datasource"))) {
        problems.add(
            "annotation " + a.path("name").asText() + " must use the data source " + DS_REF);
      }
    }
  }

  /** Panels at the top level and inside (collapsed) rows. */
  static List<JsonNode> allPanels(JsonNode d) {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode p : d.path("panels")) {
      out.add(p);
      for (JsonNode inner : p.path("panels")) {
        out.add(inner);
      }
    }
    return out;
  }

  private static boolean isTopLevel(JsonNode top, JsonNode panel) {
    for (JsonNode p : top) {
      if (p == panel) {
        return true;
      }
    }
    return false;
  }

  private static boolean overlap(JsonNode a, JsonNode b) {
    int ax = a.get("x").asInt();
    int ay = a.get("y").asInt();
    int bx = b.get("x").asInt();
    int by = b.get("y").asInt();
    return ax < bx + b.get("w").asInt()
        && bx < ax + a.get("w").asInt()
        && ay < by + b.get("h").asInt()
        && by < ay + a.get("h").asInt();
  }

  private static boolean isDatasourceRef(JsonNode ds) {
    return ds.path("type").asText("").equals("prometheus")
        && ds.path("uid").asText("").equals(DS_REF);
  }

  private static String variableQuery(JsonNode v) {
    JsonNode q = v.path("query");
    return q.isObject() ? q.path("query").asText("") : q.asText("");
  }
}
