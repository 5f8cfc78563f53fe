package io.migctl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code migctl jobs}' table: a whole MIG UUID in the device column, every column aligned. */
class JobsTableTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant NOW = Instant.parse("2026-12-06T12:00:00Z");

  /** {@code MIG-} and 36 characters, as {@code nvidia-smi -L} prints a MIG device. */
  private static final String MIG_UUID = "MIG-6f9c3d2e-0a1b-5c4d-9e8f-7a6b5c4d3e2f";

  private static ObjectNode job(long id, String name, String state) {
    ObjectNode j = JSON.createObjectNode();
    j.put("id", id);
    j.put("name", name);
    j.put("state", state);
    j.put("tenant", "team-" + name.charAt(0));
    j.put("gpu", "1g.5gb");
    j.put("submittedAt", "2026-12-06T11:59:50Z");
    return j;
  }

  private static ObjectNode on(ObjectNode job, String uuid, int gpu, String profile) {
    ObjectNode d = job.putObject("device");
    d.put("uuid", uuid);
    d.put("gpu", gpu);
    d.put("profile", profile);
    job.put("startedAt", "2026-12-06T11:59:55Z");
    return job;
  }

  @Test
  void theDeviceColumnHoldsAWholeMigUuidAndKeepsTheColumnsAligned() {
    ArrayNode jobs = JSON.createArrayNode();
    jobs.add(on(job(12, "train", "running"), MIG_UUID, 1, "3g.20gb"));
    jobs.add(on(job(11, "a-name-longer-than-twenty", "running"), "MIG-short", 0, "1g.5gb+me"));
    ObjectNode queued = job(10, "infer", "queued");
    queued.put("waiting", "no free 1g.5gb");
    jobs.add(queued);

    List<String> lines = JobsCommand.table(jobs, NOW).lines().toList();

    assertThat(lines).hasSize(4);
    String header = lines.getFirst();
    int device = header.indexOf("DEVICE");
    int time = header.indexOf("TIME");
    int note = header.indexOf("NOTE");
    int tenant = header.indexOf("TENANT");
    assertThat(lines.get(1).indexOf("team-t")).as("the tenant column").isEqualTo(tenant);
    assertThat(lines.get(3).indexOf("team-i")).isEqualTo(tenant);
    assertThat(time - device).as("device column width").isGreaterThan(MIG_UUID.length());
    assertThat(lines.get(1)).contains(MIG_UUID);
    assertThat(lines.get(1).indexOf(MIG_UUID)).isEqualTo(device);
    assertThat(lines.get(2).indexOf("MIG-short")).isEqualTo(device);
    assertThat(lines.get(3).substring(device)).startsWith("- ");
    assertThat(lines.subList(1, 3)).allSatisfy(l -> assertThat(l.indexOf("5.0s")).isEqualTo(time));
    assertThat(lines.get(3).indexOf("10.0s")).isEqualTo(time);
    assertThat(lines.get(3).indexOf("no free 1g.5gb")).isEqualTo(note);
  }
}
