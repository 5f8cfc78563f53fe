package io.migctl.core.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.migctl.core.job.HostLimits;
import io.migctl.core.tenant.Quota;
import io.migctl.core.tenant.Tenant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** The {@code tenants:} section of a workload and the tenant each job's demands carry. */
class WorkloadTenantsTest {

  private static final Tenant RESEARCH =
      new Tenant(
          "research",
          Optional.of("research"),
          new Quota(
              OptionalInt.of(4), OptionalLong.of(40_960), OptionalInt.of(3), OptionalInt.of(20)),
          2,
          HostLimits.NONE);

  @Test
  void tenantsAsAMappingTakeTheNamesAndUnitsOfTenantAdd() {
    Map<String, Object> tree = WorkloadParserTest.example();
    Map<String, Object> tenants = new LinkedHashMap<>();
    tenants.put("research", researchFields());
    tenants.put("ml", null);
    tree.put("tenants", tenants);

    Workload w = WorkloadParser.parse(tree);

    assertThat(w.tenants()).containsExactly(RESEARCH, Tenant.named("ml"));
    assertThat(w.demands())
        .extracting(d -> d.tenant())
        .containsExactly("research", "research", "default");
  }

  @Test
  void tenantsAsAListGiveTheSameTenants() {
    Map<String, Object> entry = new LinkedHashMap<>();
    entry.put("name", "research");
    entry.putAll(researchFields());
    Map<String, Object> tree = WorkloadParserTest.example();
    tree.put("tenants", List.of(entry, Map.of("name", "ml")));

    assertThat(WorkloadParser.parse(tree).tenants()).containsExactly(RESEARCH, Tenant.named("ml"));
  }

  @Test
  void withoutTenantsThereAreNone() {
    assertThat(WorkloadParser.parse(WorkloadParserTest.example()).tenants()).isEmpty();
  }

  @Test
  void gpuMemoryMayBeWholeMiB() {
    assertThat(tenantWith("max-gpu-memory", 2048).quota().maxGpuMemoryMiB()).hasValue(2048);
  }

  @Test
  void badValuesNameTheKeyAndTheFix() {
    assertRefused(
        withTenant("max-slices", "two"), "tenants.ml.max-slices", "is not a whole number");
    assertRefused(withTenant("max-slices", -1), "tenants.ml.max-slices", "-1 is out of range");
    assertRefused(
        withTenant("max-running", 2.5), "tenants.ml.max-running", "is not a whole number");
    assertRefused(
        withTenant("max-gpu-memory", "lots"), "tenants.ml.max-gpu-memory", "is not a memory size");
    assertRefused(
        withTenant("max-gpu-memory", true),
        "tenants.ml.max-gpu-memory",
        "write e.g. max-gpu-memory: 40GiB");
    assertRefused(withTenant("weight", 0), "tenants.ml.weight", "0 is out of range; use 1 to 1000");
    assertRefused(withTenant("user", "Bad User"), "tenants.ml.user", "is not a Unix user name");
    assertRefused(withTenant("max_slices", 2), "tenants.ml.max_slices", "did you mean max-slices?");
  }

  @Test
  void badTenantsAreRefusedWhereTheyAre() {
    Map<String, Object> badName = WorkloadParserTest.example();
    badName.put("tenants", Map.of("-ml", Map.of()));
    assertRefused(badName, "tenants.-ml", "is not a tenant name");

    Map<String, Object> notAMap = WorkloadParserTest.example();
    notAMap.put("tenants", "ml");
    assertRefused(notAMap, "tenants", "expected tenant names to their limits");

    Map<String, Object> noName = WorkloadParserTest.example();
    noName.put("tenants", List.of(Map.of("max-slices", 2)));
    assertRefused(noName, "tenants[0]", "missing required field name");

    Map<String, Object> twice = WorkloadParserTest.example();
    twice.put("tenants", List.of(Map.of("name", "ml"), Map.of("name", "ml", "weight", 2)));
    assertRefused(twice, "tenants[1].name", "tenant \"ml\" is declared twice");
  }

  @Test
  void aJobMayNameATenantThatIsNotDeclared() {
    Map<String, Object> tree = withTenant("max-slices", 1);

    Workload w = WorkloadParser.parse(tree);

    assertThat(w.tenants()).extracting(Tenant::name).containsExactly("ml");
    assertThat(w.jobs().getFirst().tenant()).isEqualTo("research");
  }

  private static Map<String, Object> researchFields() {
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("user", "research");
    f.put("max-slices", 4);
    f.put("max-gpu-memory", "40GiB");
    f.put("max-running", 3);
    f.put("max-queued", 20);
    f.put("weight", 2);
    return f;
  }

  private static Map<String, Object> withTenant(String key, Object value) {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put(key, value);
    Map<String, Object> tree = WorkloadParserTest.example();
    tree.put("tenants", Map.of("ml", fields));
    return tree;
  }

  private static Tenant tenantWith(String key, Object value) {
    return WorkloadParser.parse(withTenant(key, value)).tenants().getFirst();
  }

  private static void assertRefused(Map<String, Object> tree, String path, String problem) {
    assertThatThrownBy(() -> WorkloadParser.parse(new LinkedHashMap<>(tree)))
        .isInstanceOfSatisfying(
            WorkloadException.class,
            e -> {
              assertThat(e.path()).as(e.getMessage()).isEqualTo(path);
              assertThat(e.problem()).contains(problem);
            });
  }
}
