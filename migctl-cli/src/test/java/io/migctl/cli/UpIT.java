package io.migctl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code migctl up --exit-when-done}: the bundled example, end to end, with real processes. */
class UpIT {

  @TempDir Path home;

  @Test
  void theBundledExampleRunsEveryJobOnItsOwnSliceAndSucceeds() throws Exception {
    Map<String, String> env = new HashMap<>();
    env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
    env.put("MIGCTL_DRIVER", "sim");
    Invocations migctl = new Invocations(home, env);

    Invocations.Result first = migctl.run("up", "--exit-when-done", "--port", "0");
    assertThat(first.code()).as(first.out() + first.err()).isZero();
    assertThat(first.out())
        .contains("workload shared-server: 5 job(s), 3 environment(s)")
        .contains("train needs 2g.10gb")
        .contains("all 5 jobs succeeded");
    // every job printed the MIG device it was given, and only that one
    Pattern row =
        Pattern.compile("(?m)^(train|infer-\\d)\\s+succeeded\\s+0\\s+GPU (\\d) (\\S+) (MIG-\\S+)");
    Matcher m = row.matcher(first.out());
    int rows = 0;
    java.util.Set<String> devices = new java.util.HashSet<>();
    while (m.find()) {
      rows++;
      devices.add(m.group(4));
    }
    assertThat(rows).as(first.out()).isEqualTo(4);
    assertThat(devices).as("four jobs on four distinct slices").hasSize(4);
    for (Path log : jobLogs()) {
      String text = Files.readString(log);
      if (text.contains("MIG-")) {
        Matcher mig = Pattern.compile("MIG-[0-9a-f-]+").matcher(text);
        java.util.Set<String> seen = new java.util.HashSet<>();
        while (mig.find()) {
          seen.add(mig.group());
        }
        assertThat(seen).as("%s names one device", log).hasSize(1);
      }
    }

    // the builds are found under the workload's names (README: submit --env infer) and under the
    // names their spec files give them (README: names are the spec's name: or --name)
    for (String name : java.util.List.of("train", "infer", "preprocess")) {
      Invocations.Result byWorkload = migctl.run("env", "show", name, "--json");
      Invocations.Result bySpec = migctl.run("env", "show", "shared-server-" + name, "--json");
      assertThat(byWorkload.code()).as(byWorkload.err()).isZero();
      assertThat(bySpec.code()).as(bySpec.err()).isZero();
      assertThat(bySpec.json().get("build").get("id"))
          .isEqualTo(byWorkload.json().get("build").get("id"));
      assertThat(byWorkload.json().get("build").get("names"))
          .extracting(com.fasterxml.jackson.databind.JsonNode::asText)
          .containsExactlyInAnyOrder(name, "shared-server-" + name);
    }

    // a second run finds its environments and layout, and runs the jobs again
    Invocations.Result second = migctl.run("up", "--exit-when-done", "--port", "0");
    assertThat(second.code()).as(second.out() + second.err()).isZero();
    assertThat(second.out())
        .contains("layout: 0 operation(s)")
        .contains("found")
        .contains("all 5 jobs succeeded");
  }

  private java.util.List<Path> jobLogs() throws java.io.IOException {
    try (var s = Files.walk(home.resolve("jobs"))) {
      return s.filter(p -> p.getFileName().toString().equals("stdout.log")).toList();
    }
  }
}
