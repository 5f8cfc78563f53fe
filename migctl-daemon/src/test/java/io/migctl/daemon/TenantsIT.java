package io.migctl.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.migctl.nvidia.sim.SimulatedMigDriver;
import io.migctl.nvidia.sim.SimulatedNodeSpec;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two tenants on one daemon (simulated {@code a100-40gb:2}, real processes, real SQLite): each sees
 * and cancels only its own jobs, another's are 404 exactly as a missing id, the operator sees and
 * cancels all, the history says who did what, the audit log has every change in order, and a
 * tenant's token cannot manage tenants or the layout.
 */
class TenantsIT {

  private static final String SLEEP = "{\"name\": \"%s\", \"command\": [\"sleep\", \"60\"]%s}";

  @TempDir Path home;
  private TestDaemon d;
  private String alice;
  private String bob;

  @BeforeEach
  void start() throws Exception {
    d = new TestDaemon(home, SimulatedMigDriver.inMemory(SimulatedNodeSpec.parse("a100-40gb:2")));
    assertThat(d.post("/api/v1/tenants", "{\"name\": \"alice\", \"maxSlices\": 2}").status())
        .isEqualTo(201);
    assertThat(d.post("/api/v1/tenants", "{\"name\": \"bob\", \"weight\": 3}").status())
        .isEqualTo(201);
    alice = token("alice", "");
    bob = token("bob", "{}");
  }

  @AfterEach
  void stop() {
    try {
      // Jobs outlive the daemon by design: end the ones still live, so that no supervisor writes
      // into the temporary home while it is deleted.
      for (var job : d.get("/api/v1/jobs").json()) {
        String state = job.get("state").asText();
        if (java.util.Set.of("queued", "starting", "running", "stopping").contains(state)) {
          long id = job.get("id").asLong();
          TestDaemon.Reply cancel = d.post("/api/v1/jobs/" + id + "/cancel", "{}");
          TestDaemon.await(
              "job " + id + " to end (cancel answered " + cancel.status() + ")",
              java.time.Duration.ofSeconds(60),
              () ->
                  java.util.Set.of("succeeded", "failed", "cancelled")
                      .contains(d.get("/api/v1/jobs/" + id).json().get("state").asText()));
        }
      }
    } finally {
      d.close();
    }
  }

  private String token(String tenant, String body) {
    TestDaemon.Reply r = d.post("/api/v1/tenants/" + tenant + "/token", body);
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    assertThat(r.json().get("tenant").asText()).isEqualTo(tenant);
    return r.json().get("token").asText();
  }

  private long submit(String bearer, String name, String extra) {
    TestDaemon.Reply r = d.post("/api/v1/jobs", SLEEP.formatted(name, extra), bearer);
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    return r.json().get("id").asLong();
  }

  @Test
  void aTenantSeesAndCancelsOnlyItsOwnJobsAndAnothersAreAsMissing() {
    long a = submit(alice, "a-job", "");
    long b = submit(bob, "b-job", "");
    d.awaitState(b, "running");

    assertThat(d.get("/api/v1/whoami", alice).json().get("actor").asText())
        .isEqualTo("tenant:alice");
    assertThat(ids(d.get("/api/v1/jobs", alice))).containsExactly(a);
    assertThat(ids(d.get("/api/v1/jobs?tenant=bob", alice))).isEmpty();
    assertThat(ids(d.get("/api/v1/jobs", bob))).containsExactly(b);
    assertThat(ids(d.get("/api/v1/jobs", d.token))).containsExactly(b, a);
    assertThat(d.get("/api/v1/jobs/" + a, alice).json().get("tenant").asText()).isEqualTo("alice");

    long missing = b + 1000;
    for (String path : List.of("", "/events", "/logs", "/logs?stream=stderr")) {
      TestDaemon.Reply asMissing = d.get("/api/v1/jobs/" + missing + path, alice);
      TestDaemon.Reply others = d.get("/api/v1/jobs/" + b + path, alice);
      assertThat(others.status()).as(path).isEqualTo(404);
      assertThat(others.body())
          .as("another tenant's job %s answers as a missing one", path)
          .isEqualTo(asMissing.body().replace(String.valueOf(missing), String.valueOf(b)));
      assertThat(d.get("/api/v1/jobs/" + b + path, d.token).status()).as(path).isEqualTo(200);
    }
    TestDaemon.Reply cancelOthers = d.post("/api/v1/jobs/" + b + "/cancel", "{}", alice);
    assertThat(cancelOthers.status()).isEqualTo(404);
    assertThat(cancelOthers.body())
        .isEqualTo(
            d.post("/api/v1/jobs/" + missing + "/cancel", "{}", alice)
                .body()
                .replace(String.valueOf(missing), String.valueOf(b)));
    assertThat(d.get("/api/v1/jobs/" + b).json().get("state").asText()).isEqualTo("running");

    assertThat(d.post("/api/v1/jobs/" + a + "/cancel", "{}", alice).status()).isEqualTo(200);
    assertThat(d.post("/api/v1/jobs/" + b + "/cancel", "{}", d.token).status()).isEqualTo(200);
    d.awaitState(b, "cancelled");
    assertThat(details(a)).contains("submitted by tenant alice, needs none");
    assertThat(details(a)).anyMatch(e -> e.startsWith("cancelled by tenant alice"));
    assertThat(details(b)).anyMatch(e -> e.startsWith("cancelled by operator"));
  }

  @Test
  void aTenantSubmitsOnlyAsItselfAndTheOperatorForAnyTenant() {
    TestDaemon.Reply asBob =
        d.post("/api/v1/jobs", SLEEP.formatted("x", ", \"tenant\": \"bob\""), alice);
    assertThat(asBob.status()).isEqualTo(403);
    assertThat(asBob.json().get("message").asText())
        .contains("belongs to tenant alice and may submit only as alice, not as bob");
    assertThat(ids(d.get("/api/v1/jobs", d.token))).as("nothing was stored").isEmpty();

    long own = submit(alice, "own", ", \"tenant\": \"alice\"");
    long forAlice = submit(d.token, "for-alice", ", \"tenant\": \"alice\"");
    assertThat(ids(d.get("/api/v1/jobs", alice))).containsExactly(forAlice, own);
    assertThat(details(forAlice)).contains("submitted by operator for tenant alice, needs none");
  }

  @Test
  void tenantManagementAuditAndLayoutAreTheOperators() {
    List<TestDaemon.Reply> refused =
        List.of(
            d.get("/api/v1/tenants", alice),
            d.get("/api/v1/tenants/bob", alice),
            d.request("POST", "/api/v1/tenants", "{\"name\": \"mallory\"}", alice),
            d.request("PATCH", "/api/v1/tenants/alice", "{\"maxSlices\": 7}", alice),
            d.request("DELETE", "/api/v1/tenants/bob", null, alice),
            d.request("POST", "/api/v1/tenants/alice/token", "{}", alice),
            d.get("/api/v1/audit", alice),
            d.request("POST", "/api/v1/layout/apply", "{\"config\": \"all-disabled\"}", alice));
    for (TestDaemon.Reply r : refused) {
      assertThat(r.status()).as(r.body()).isEqualTo(403);
      assertThat(r.json().get("code").asText()).isEqualTo("forbidden");
      assertThat(r.json().get("message").asText())
          .startsWith("only the operator may")
          .contains("this token belongs to tenant alice");
    }
    assertThat(d.get("/api/v1/tenants/alice", alice).json().get("maxSlices").asInt())
        .as("a tenant reads its own record")
        .isEqualTo(2);
    assertThat(d.get("/api/v1/tenants/alice").json().get("maxSlices").asInt()).isEqualTo(2);
    assertThat(d.get("/api/v1/tenants").json()).hasSize(2);
    JsonNode paths = d.get("/api/v1/openapi.json").json().get("paths");
    for (String documented :
        List.of(
            "/api/v1/whoami",
            "/api/v1/tenants",
            "/api/v1/tenants/{name}",
            "/api/v1/tenants/{name}/token",
            "/api/v1/audit")) {
      assertThat(paths.has(documented)).as(documented).isTrue();
    }
    assertThat(d.get("/api/v1/audit").json())
        .as("refused requests change nothing and are not audited")
        .hasSize(4);
  }

  @Test
  void theAuditLogHasEveryChangeInOrderWithWhoAskedForIt() {
    long a = submit(alice, "a-job", "");
    TestDaemon.Reply busy = d.request("DELETE", "/api/v1/tenants/alice", null, d.token);
    assertThat(busy.status()).isEqualTo(409);
    assertThat(busy.json().get("message").asText())
        .contains("tenant alice has 1 job queued or running; cancel them first");
    d.post("/api/v1/jobs/" + a + "/cancel", "{}", alice);
    d.awaitState(a, "cancelled");
    assertThat(
            d.request(
                    "PATCH",
                    "/api/v1/tenants/bob",
                    "{\"clear\": [\"weight\"], \"maxRunning\": 4}",
                    d.token)
                .json()
                .get("weight")
                .asInt())
        .isEqualTo(1);
    String rotated =
        d.post("/api/v1/tenants/alice/token", "{\"rotate\": true}").json().get("token").asText();
    assertThat(d.get("/api/v1/whoami", alice).status())
        .as("the old token is revoked")
        .isEqualTo(401);
    assertThat(d.get("/api/v1/whoami", rotated).status()).isEqualTo(200);
    assertThat(d.request("DELETE", "/api/v1/tenants/alice", null, d.token).status()).isEqualTo(200);
    assertThat(d.get("/api/v1/whoami", rotated).status())
        .as("a removed tenant's tokens go with it")
        .isEqualTo(401);

    List<String> lines = new ArrayList<>();
    for (JsonNode e : d.get("/api/v1/audit").json()) {
      lines.add(
          e.get("actor").asText()
              + " "
              + e.get("action").asText()
              + " "
              + e.get("target").asText());
    }
    assertThat(lines)
        .containsExactly(
            "operator tenant-add tenant alice",
            "operator tenant-add tenant bob",
            "operator tenant-token tenant alice",
            "operator tenant-token tenant bob",
            "tenant:alice submit tenant alice",
            "tenant:alice cancel job " + a,
            "operator tenant-set tenant bob",
            "operator tenant-token tenant alice",
            "operator tenant-rm tenant alice");
  }

  @Test
  void aTenantSeesAndUsesOnlyTheEnvironmentBuildsItAskedFor() {
    String spec =
        "{\"spec\": \"name: shared\\ndependencies:\\n  - python\\n\", \"backend\": \"venv\"}";
    TestDaemon.Reply built = d.post(EnvironmentApi.PATH, spec, bob);
    assertThat(built.status()).as(built.body()).isEqualTo(201);
    String id = built.json().get("build").get("id").asText();

    assertThat(d.get("/api/v1/environments", bob).json()).hasSize(1);
    assertThat(d.get("/api/v1/environments", alice).json()).isEmpty();
    assertThat(d.get("/api/v1/environments", d.token).json()).hasSize(1);
    String body = "{\"command\": [\"true\"], \"environment\": \"%s\"}";
    TestDaemon.Reply others = d.post("/api/v1/jobs", body.formatted(id), alice);
    TestDaemon.Reply missing = d.post("/api/v1/jobs", body.formatted("nosuchenv"), alice);
    assertThat(others.status()).isEqualTo(400);
    assertThat(others.body())
        .as("another tenant's build is refused as one that is not there")
        .isEqualTo(missing.body().replace("nosuchenv", id));
    assertThat(d.post("/api/v1/jobs", body.formatted(id), bob).status()).isEqualTo(201);

    // The same spec asked for by alice is the same build, and then hers too.
    TestDaemon.Reply again = d.post(EnvironmentApi.PATH, spec, alice);
    assertThat(again.status()).isEqualTo(200);
    assertThat(again.json().get("build").get("id").asText()).isEqualTo(id);
    assertThat(d.post("/api/v1/jobs", body.formatted(id), alice).status()).isEqualTo(201);
  }

  @Test
  void aTenantsEventStreamCarriesItsOwnJobsOnly() throws Exception {
    HttpResponse<Stream<String>> stream =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(d.url().resolve("/api/v1/stream"))
                    .header("Accept", "text/event-stream")
                    .header("Authorization", "Bearer " + alice)
                    .build(),
                HttpResponse.BodyHandlers.ofLines());
    assertThat(stream.statusCode()).isEqualTo(200);
    Iterator<String> lines = stream.body().iterator();
    assertThat(lines.next()).as("the first reading").isEqualTo("event: telemetry");

    long b =
        d.submit(java.util.Map.of("name", "b-quick", "command", List.of("true"), "tenant", "bob"));
    d.awaitState(b, "succeeded");
    long a = submit(alice, "a-quick", "");
    List<String> seen = new ArrayList<>();
    String mine = "\"jobId\":" + a + ",";
    while (seen.stream().noneMatch(l -> l.contains(mine))) {
      seen.add(lines.next());
    }
    assertThat(seen)
        .as("bob's job ran while alice followed the stream")
        .noneMatch(l -> l.contains("\"jobId\":" + b + ","));
    stream.body().close();
  }

  private List<String> details(long job) {
    List<String> out = new ArrayList<>();
    d.get("/api/v1/jobs/" + job + "/events").json().forEach(e -> out.add(e.get("detail").asText()));
    return out;
  }

  private static List<Long> ids(TestDaemon.Reply r) {
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    List<Long> out = new ArrayList<>();
    r.json().forEach(j -> out.add(j.get("id").asLong()));
    return out;
  }
}
