package io.migctl.core.slurm;

import io.migctl.core.slurm.GresFinding.Kind;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What differs between Slurm's view of a node's GPUs and the GPUs as they are: a pure comparison of
 * four views.
 *
 * <ul>
 *   <li>the live layout ({@link NodeGres}, what {@code migctl slurm gres} would write now);
 *   <li>the records slurmd reads ({@code slurmd -G}, in Slurm's index order: record {@code i} is
 *       Slurm GPU {@code i});
 *   <li>the controller's {@code Gres=} for the node ({@code scontrol show node}), e.g. {@code
 *       gpu:1g.5gb:2,gpu:2g.10gb:1};
 *   <li>the map on disk ({@code gres-map.tsv}), when there is one.
 * </ul>
 *
 * <p>A record stands for a live device when its files are exactly that device's files. A device is
 * guarded by {@code ConstrainDevices} when its own file (a MIG device's compute-instance access
 * file, a whole GPU's {@code /dev/nvidiaN}) is named by some record: Slurm denies jobs the files of
 * records they were not given and leaves every other file open. Only {@code gpu} records and
 * resources are compared.
 */
public final class SlurmGresCheck {

  private static final String REGENERATE =
      "Regenerate the files with 'migctl slurm gres -o DIR', then restart Slurm's daemons in this"
          + " order: stop slurmd, restart slurmctld, start slurmd ('migctl slurm reshape' does"
          + " both).";

  private SlurmGresCheck() {}

  /**
   * The findings, loudest first, in the order found within a severity; empty when Slurm's view and
   * the GPUs agree.
   *
   * @param node the Slurm node name, for the messages
   * @param live the node's GPUs as they are now
   * @param slurmd the records of {@code slurmd -G}, in its order (records of other resources than
   *     {@code gpu} are left out)
   * @param controllerGres the node's {@code Gres=} as the controller has it; empty when none
   * @param map the map on disk, when one is to be checked
   * @throws IllegalArgumentException when {@code controllerGres} is not a list of {@code
   *     name[:type][:count]}
   */
  public static List<GresFinding> findings(
      String node,
      NodeGres live,
      List<SlurmdGres> slurmd,
      String controllerGres,
      Optional<GresMap> map) {
    List<Slot> slots = slots(slurmd);
    List<GresFinding> out = new ArrayList<>();
    List<Optional<GresDevice>> handedOut = records(slots, live, out);
    unprotected(node, live, slots, handedOut, out);
    counts(node, live, slots, controllerGres, out);
    map.ifPresent(m -> map(m, handedOut, out));
    return out.stream().sorted(Comparator.comparing(GresFinding::severity)).toList();
  }

  /** One Slurm GPU as slurmd numbers it: its type and files. */
  private record Slot(String type, List<String> files) {}

  /** The Slurm GPUs, one per index: a record of count {@code n} with {@code n} files is n GPUs. */
  private static List<Slot> slots(List<SlurmdGres> records) {
    List<Slot> slots = new ArrayList<>();
    for (SlurmdGres r : records) {
      if (!r.name().equals("gpu")) {
        continue;
      }
      if (r.count() > 1 && r.files().size() == r.count()) {
        r.files().forEach(f -> slots.add(new Slot(r.type(), List.of(f))));
      } else {
        for (long i = 0; i < Math.max(1, r.count()); i++) {
          slots.add(new Slot(r.type(), r.files()));
        }
      }
    }
    return slots;
  }

  /** Per Slurm GPU, the live device it stands for; stale, duplicate and mistyped ones reported. */
  private static List<Optional<GresDevice>> records(
      List<Slot> slots, NodeGres live, List<GresFinding> out) {
    Map<Set<String>, GresDevice> byFiles = new HashMap<>();
    live.devices().forEach(d -> byFiles.put(Set.copyOf(d.files()), d));
    Map<GresDevice, Integer> first = new HashMap<>();
    List<Optional<GresDevice>> handedOut = new ArrayList<>();
    for (int i = 0; i < slots.size(); i++) {
      Slot slot = slots.get(i);
      GresDevice d = byFiles.get(Set.copyOf(slot.files()));
      handedOut.add(Optional.ofNullable(d));
      String gpu = "Slurm GPU " + i;
      if (d == null) {
        out.add(
            new GresFinding(
                Kind.STALE_RECORD,
                gpu,
                gpu
                    + " (type "
                    + typeText(slot.type())
                    + ", "
                    + (slot.files().isEmpty()
                        ? "no device files"
                        : "files " + String.join(",", slot.files()))
                    + ") is no live MIG device or GPU: gres.conf is stale, and a job given it gets"
                    + " a device that is gone or another one. "
                    + REGENERATE));
      } else if (first.containsKey(d)) {
        out.add(
            new GresFinding(
                Kind.DUPLICATE_RECORD,
                d.uuid(),
                describe(d)
                    + " is both Slurm GPU "
                    + first.get(d)
                    + " and "
                    + gpu
                    + ": two jobs may be given it at once. "
                    + REGENERATE));
      } else {
        first.put(d, i);
        if (!slot.type().equals(d.type())) {
          out.add(
              new GresFinding(
                  Kind.WRONG_TYPE,
                  d.uuid(),
                  gpu
                      + " is "
                      + describe(d)
                      + " but gres.conf types it "
                      + typeText(slot.type())
                      + ": jobs asking for "
                      + typeText(slot.type())
                      + " get a "
                      + d.type()
                      + ". "
                      + REGENERATE));
        }
      }
    }
    return handedOut;
  }

  /** Live devices whose own file no record names. */
  private static void unprotected(
      String node,
      NodeGres live,
      List<Slot> slots,
      List<Optional<GresDevice>> handedOut,
      List<GresFinding> out) {
    Set<String> guarded = new HashSet<>();
    slots.forEach(s -> guarded.addAll(s.files()));
    for (GresDevice d : live.devices()) {
      boolean inRecord = handedOut.stream().anyMatch(h -> h.equals(Optional.of(d)));
      String own = d.files().getLast();
      if (!inRecord && !guarded.contains(own)) {
        out.add(
            new GresFinding(
                Kind.NOT_PROTECTED,
                d.uuid(),
                describe(d)
                    + " is NOT PROTECTED: it is in no gres.conf record, so ConstrainDevices does"
                    + " not guard "
                    + own
                    + " and any job on node "
                    + node
                    + " can open it. "
                    + REGENERATE));
      }
    }
  }

  /** Types the controller counts otherwise than the GPUs, or than gres.conf. */
  private static void counts(
      String node, NodeGres live, List<Slot> slots, String controllerGres, List<GresFinding> out) {
    Map<String, Long> controller = controllerCounts(controllerGres);
    Map<String, Long> gpus = new LinkedHashMap<>();
    live.typeCounts().forEach((t, n) -> gpus.put(t, (long) n));
    Map<String, Long> conf = new LinkedHashMap<>();
    slots.forEach(s -> conf.merge(s.type(), 1L, Long::sum));
    Set<String> types = new LinkedHashSet<>(controller.keySet());
    types.addAll(gpus.keySet());
    types.addAll(conf.keySet());
    for (String t : types) {
      long c = controller.getOrDefault(t, 0L);
      long l = gpus.getOrDefault(t, 0L);
      long s = conf.getOrDefault(t, 0L);
      String gres = t.isEmpty() ? "gpu" : "gpu:" + t;
      if (c != l) {
        out.add(
            countFinding(
                node,
                gres,
                c,
                "the GPUs have "
                    + l
                    + " of type "
                    + typeText(t)
                    + ": "
                    + (c > l
                        ? "the node is set INVALID_REG or drained, or jobs wait for devices that"
                            + " are not there. "
                        : "jobs cannot ask for the devices slurm.conf does not list. ")));
      } else if (c != s) {
        out.add(
            countFinding(
                node,
                gres,
                c,
                "gres.conf gives slurmd "
                    + s
                    + ": when slurmd registers, the controller sets the node INVALID_REG or"
                    + " drains it. "));
      }
    }
  }

  private static GresFinding countFinding(String node, String gres, long count, String but) {
    return new GresFinding(
        Kind.COUNT_MISMATCH,
        gres,
        "Slurm's controller has "
            + gres
            + ":"
            + count
            + " for node "
            + node
            + " but "
            + but
            + REGENERATE);
  }

  /** Rows of the map that name another device than the one Slurm hands out at that index. */
  private static void map(
      GresMap map, List<Optional<GresDevice>> handedOut, List<GresFinding> out) {
    Map<Integer, GresMap.Row> rows = new LinkedHashMap<>();
    map.rows().forEach(r -> rows.putIfAbsent(r.index(), r));
    String fix = "Regenerate the map with 'migctl slurm gres -o DIR'.";
    for (int i = 0; i < handedOut.size(); i++) {
      GresMap.Row row = rows.get(i);
      Optional<GresDevice> d = handedOut.get(i);
      if (row == null) {
        out.add(
            new GresFinding(
                Kind.MAP_MISMATCH,
                "Slurm GPU " + i,
                "Slurm GPU "
                    + i
                    + " is not in the map: the task prolog fails every task given it. "
                    + fix));
      } else if (d.isPresent() && !d.get().uuid().equals(row.uuid())) {
        out.add(
            new GresFinding(
                Kind.MAP_MISMATCH,
                d.get().uuid(),
                "the map gives Slurm GPU "
                    + i
                    + " as "
                    + row.uuid()
                    + " but Slurm hands out "
                    + describe(d.get())
                    + " there: tasks would get the wrong CUDA_VISIBLE_DEVICES. "
                    + fix));
      }
    }
    rows.values().stream()
        .filter(r -> r.index() >= handedOut.size())
        .forEach(
            r ->
                out.add(
                    new GresFinding(
                        Kind.MAP_EXTRA_ROW,
                        "Slurm GPU " + r.index(),
                        "the map has a row for Slurm GPU "
                            + r.index()
                            + " ("
                            + r.uuid()
                            + ") but Slurm has "
                            + handedOut.size()
                            + " GPUs on the node. "
                            + fix)));
  }

  /**
   * The counts per type of the {@code gpu} resources in a {@code Gres=} text: {@code
   * gpu:1g.5gb:2(S:0),gpu:2g.10gb:1} is {@code {1g.5gb=2, 2g.10gb=1}}; an untyped {@code gpu:2} is
   * type {@code ""}.
   */
  static Map<String, Long> controllerCounts(String gres) {
    Map<String, Long> counts = new LinkedHashMap<>();
    for (String item : topLevelItems(gres)) {
      int paren = item.indexOf('(');
      List<String> parts =
          new ArrayList<>(List.of((paren < 0 ? item : item.substring(0, paren)).split(":")));
      parts.remove("no_consume");
      if (!parts.getFirst().equals("gpu")) {
        continue;
      }
      String last = parts.getLast();
      boolean counted = parts.size() > 1 && last.matches("\\d+[KMGT]?");
      long count = counted ? count(last) : 1;
      List<String> middle = parts.subList(1, counted ? parts.size() - 1 : parts.size());
      if (middle.size() > 1) {
        throw new IllegalArgumentException(
            "the controller's Gres '"
                + gres
                + "' has '"
                + item
                + "', not gpu[:type][:count]; check the node's Gres= in slurm.conf");
      }
      counts.merge(middle.isEmpty() ? "" : middle.getFirst(), count, Long::sum);
    }
    return counts;
  }

  private static long count(String text) {
    char unit = text.charAt(text.length() - 1);
    int power = "KMGT".indexOf(unit) + 1;
    long number = Long.parseLong(power == 0 ? text : text.substring(0, text.length() - 1));
    return number << (10 * power);
  }

  /** The comma-separated items of a Gres text, commas inside parentheses kept. */
  private static List<String> topLevelItems(String gres) {
    List<String> items = new ArrayList<>();
    int depth = 0;
    StringBuilder item = new StringBuilder();
    for (char c : (gres.strip() + ",").toCharArray()) {
      if (c == ',' && depth == 0) {
        if (!item.isEmpty()) {
          items.add(item.toString());
        }
        item.setLength(0);
        continue;
      }
      depth += c == '(' ? 1 : c == ')' ? -1 : 0;
      item.append(c);
    }
    return items;
  }

  private static String typeText(String type) {
    return type.isEmpty() ? "(none)" : type;
  }

  private static String describe(GresDevice d) {
    return d.isMigDevice()
        ? d.uuid()
            + " ("
            + d.type()
            + " on GPU "
            + d.gpu()
            + ", GPU instance "
            + d.gpuInstance().getAsInt()
            + ", compute instance "
            + d.computeInstance().getAsInt()
            + ")"
        : d.uuid() + " (GPU " + d.gpu() + ", MIG off, " + d.type() + ")";
  }
}
