package io.migctl.replay;

import io.migctl.core.replay.SimResult;
import java.util.List;
import java.util.Locale;

/** A two-panel SVG line chart: slice utilisation and queue length over time, one line a policy. */
public final class Svg {

  private static final String[] COLOURS = {"#888888", "#1f77b4", "#d62728", "#2ca02c", "#9467bd"};

  private Svg() {}

  public static String chart(String title, List<PolicyRow> rows) {
    int w = 900;
    int h = 220;
    double tMax = 1;
    int qMax = 1;
    for (PolicyRow r : rows) {
      for (SimResult.Sample s : r.runs().get(0).samples()) {
        tMax = Math.max(tMax, s.time());
        qMax = Math.max(qMax, s.queueLength());
      }
    }
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            Locale.ROOT,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
                + " font-family=\"sans-serif\" font-size=\"12\">%n",
            w + 120,
            2 * h + 110));
    b.append("<text x=\"10\" y=\"18\">").append(escape(title)).append(" (first seed)</text>\n");
    panel(b, rows, 40, w, h, tMax, 1.0, "slice utilisation", true);
    panel(b, rows, 70 + h, w, h, tMax, qMax, "queue length", false);
    for (int i = 0; i < rows.size(); i++) {
      b.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%d\" y=\"%d\" fill=\"%s\">%s</text>%n",
              60 + i * 220,
              2 * h + 100,
              COLOURS[i % COLOURS.length],
              escape(rows.get(i).policy())));
    }
    b.append("</svg>\n");
    return b.toString();
  }

  private static void panel(
      StringBuilder b,
      List<PolicyRow> rows,
      int top,
      int w,
      int h,
      double tMax,
      double yMax,
      String label,
      boolean util) {
    int left = 60;
    b.append(
        String.format(
            Locale.ROOT,
            "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#ccc\"/>%n"
                + "<text x=\"%d\" y=\"%d\">%s (max %.0f%s), time 0..%.0f s</text>%n",
            left,
            top,
            w,
            h,
            left + 5,
            top + 14,
            label,
            util ? 100.0 : yMax,
            util ? "%" : "",
            tMax));
    for (int i = 0; i < rows.size(); i++) {
      StringBuilder pts = new StringBuilder();
      for (SimResult.Sample s : rows.get(i).runs().get(0).samples()) {
        double y = util ? s.sliceUtilisation() : s.queueLength();
        pts.append(
            String.format(
                Locale.ROOT,
                "%.1f,%.1f ",
                left + s.time() / tMax * w,
                top + h - y / yMax * (h - 20)));
      }
      b.append(
          String.format(
              Locale.ROOT,
              "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\" points=\"%s\"/>%n",
              COLOURS[i % COLOURS.length],
              pts.toString().strip()));
    }
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
