package io.migctl.daemon.confine;

import io.migctl.core.job.HostLimits;
import io.migctl.nvidia.dev.DeviceNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The writes that confine one attempt in cgroup v1, as data: which controller's file gets which
 * value, in order. Pure; {@link CgroupV1Confinement} performs them.
 *
 * <p>Devices: {@code a} to {@code devices.deny} first (nothing allowed), then one {@code c M:m rwm}
 * rule per {@code devices.allow} write: the terminal and memory devices every program expects
 * ({@link #STANDARD}) and the job's own nodes. Memory: {@code memory.limit_in_bytes}, and the same
 * value as {@code memory.memsw.limit_in_bytes} where swap is accounted (so that the limit cannot be
 * escaped into swap). CPU: a CFS quota of {@code cpuMillis / 1000} periods of 100 ms. Processes:
 * {@code pids.max}. A limit that is not set is not written (the parent's applies).
 */
final class CgroupV1Settings {

  /** The controllers an attempt gets a cgroup in. */
  static final List<String> CONTROLLERS = List.of("devices", "memory", "cpu", "pids");

  /** CFS period in microseconds: 100 ms, the kernel's default. */
  static final long CFS_PERIOD_US = 100_000;

  /**
   * Character devices every job may use: null, zero, full, random, urandom (1:3, 5, 7, 8, 9), tty
   * (5:0), ptmx (5:2) and the pseudo-terminals (136:*).
   */
  static final List<String> STANDARD =
      List.of(
          "c 1:3 rwm",
          "c 1:5 rwm",
          "c 1:7 rwm",
          "c 1:8 rwm",
          "c 1:9 rwm",
          "c 5:0 rwm",
          "c 5:2 rwm",
          "c 136:* rwm");

  /** One write: {@code value} to {@code file} of the attempt's cgroup in {@code controller}. */
  record Write(String controller, String file, String value) {}

  private CgroupV1Settings() {}

  /**
   * The writes for an attempt with these nodes and limits.
   *
   * @param memsw whether the memory controller accounts swap ({@code memory.memsw.*} exists)
   */
  static List<Write> writes(List<DeviceNode> devices, HostLimits limits, boolean memsw) {
    List<Write> w = new ArrayList<>();
    w.add(new Write("devices", "devices.deny", "a"));
    STANDARD.forEach(rule -> w.add(new Write("devices", "devices.allow", rule)));
    devices.forEach(d -> w.add(new Write("devices", "devices.allow", "c " + d.number() + " rwm")));
    limits
        .memoryMiB()
        .ifPresent(
            mib -> {
              String bytes = Long.toString(mib * 1024 * 1024);
              w.add(new Write("memory", "memory.limit_in_bytes", bytes));
              if (memsw) {
                w.add(new Write("memory", "memory.memsw.limit_in_bytes", bytes));
              }
            });
    limits
        .cpuMillis()
        .ifPresent(
            millis -> {
              w.add(new Write("cpu", "cpu.cfs_period_us", Long.toString(CFS_PERIOD_US)));
              w.add(
                  new Write(
                      "cpu", "cpu.cfs_quota_us", Long.toString(millis * CFS_PERIOD_US / 1000)));
            });
    limits.maxProcs().ifPresent(n -> w.add(new Write("pids", "pids.max", Integer.toString(n))));
    return List.copyOf(w);
  }

  /**
   * What the limits did to the attempt, from the files the kernel keeps: {@code memory.oom_control}
   * ({@code oom_kill N}, Linux 4.13 and later), {@code memory.limit_in_bytes}, {@code pids.events}
   * ({@code max N}: forks refused) and {@code pids.max}. Empty when neither limit acted.
   */
  static Optional<String> finding(
      String oomControl, String memoryLimit, String pidsEvents, String pidsMax) {
    List<String> said = new ArrayList<>();
    long oomKills = counter(oomControl, "oom_kill");
    if (oomKills > 0) {
      said.add("killed: out of memory (limit " + mib(memoryLimit) + ")");
    }
    long refused = counter(pidsEvents, "max");
    if (refused > 0) {
      said.add(
          "reached its process limit ("
              + pidsMax.strip()
              + "): "
              + refused
              + (refused == 1 ? " fork was" : " forks were")
              + " refused");
    }
    return said.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", said));
  }

  /** The number after {@code key} on its line of a {@code key value} file; 0 when absent. */
  static long counter(String text, String key) {
    for (String line : text.split("\n")) {
      String[] kv = line.strip().split("\\s+");
      if (kv.length == 2 && kv[0].equals(key)) {
        try {
          return Long.parseLong(kv[1]);
        } catch (NumberFormatException e) {
          return 0;
        }
      }
    }
    return 0;
  }

  private static String mib(String bytes) {
    try {
      return Long.parseLong(bytes.strip()) / (1024 * 1024) + " MiB";
    } catch (NumberFormatException e) {
      return "unknown";
    }
  }
}
