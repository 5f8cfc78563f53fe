package io.migctl.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaConstructorCall;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import io.migctl.apply.ApplyJournal;
import io.migctl.core.job.JobStateMachine;
import io.migctl.core.job.JobStore;
import io.migctl.core.job.Scheduler;
import io.migctl.core.tenant.TenantDirectory;
import io.migctl.env.store.EnvironmentStore;
import io.migctl.nvidia.GpuNode;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The daemon is built in one place: {@link DaemonAssembly} alone constructs the job service (in one
 * method) and the daemon, and the tests' daemon is started by the method {@code serve}'s start
 * delegates to.
 */
class DaemonAssemblyTest {

  /** The node module's main and test classes. */
  private static final JavaClasses CLASSES =
      new ClassFileImporter().importPackages("io.migctl.daemon");

  /** Where {@code type} is constructed, as {@code Class.method}, once per call site. */
  private static List<String> callersOfConstructor(Class<?> type) {
    return CLASSES.get(type).getConstructorCallsToSelf().stream()
        .map(JavaConstructorCall::getOrigin)
        // one constructor delegating to another is not a construction
        .filter(o -> !o.getOwner().isEquivalentTo(type))
        .map(o -> o.getOwner().getSimpleName() + "." + o.getName())
        .toList();
  }

  private static List<String> callersOf(Class<?> owner, String method, Class<?>... parameters) {
    return CLASSES.get(owner).getMethod(method, parameters).getCallsOfSelf().stream()
        .map(JavaMethodCall::getOrigin)
        .map(o -> o.getOwner().getSimpleName() + "." + o.getName())
        .distinct()
        .toList();
  }

  @Test
  void onlyOneMethodOfTheAssemblyBuildsTheDaemonsJobService() {
    assertThat(
            callersOf(
                JobService.class,
                "real",
                JobStore.class,
                DeviceClaims.class,
                EnvironmentStore.class,
                Path.class,
                Clock.class,
                JobStateMachine.class,
                Scheduler.Policy.class,
                Map.class,
                Repartition.class,
                ApplyJournal.class,
                JobGuards.class,
                TenantDirectory.class))
        .containsExactly("DaemonAssembly.jobService");
    // Beside the daemon's ports, only the scenario harness builds one, on the in-memory ports.
    assertThat(callersOfConstructor(JobService.class)).containsExactly("RuntimeScenario.start");
  }

  @Test
  void onlyTheAssemblyConstructsTheDaemon() {
    assertThat(callersOfConstructor(NodeDaemon.class)).containsExactly("DaemonAssembly.start");
  }

  @Test
  void theTestDaemonStartsThroughTheMethodServeAndUpUse() {
    assertThat(
            callersOf(
                DaemonAssembly.class,
                "start",
                NodeDaemon.Options.class,
                GpuNode.class,
                Clock.class,
                Consumer.class))
        .contains("DaemonAssembly.start", "TestDaemon.<init>");
    assertThat(callersOf(DaemonAssembly.class, "start", NodeDaemon.Options.class, GpuNode.class))
        .contains("WebDaemon.<init>");
  }
}
