package io.migctl.daemon.up;

import static org.assertj.core.api.Assertions.assertThat;

import io.migctl.core.job.Admission;
import io.migctl.core.job.GpuNeed;
import io.migctl.core.job.JobSpec;
import io.migctl.core.job.Requirement;
import io.migctl.core.mig.Catalog;
import io.migctl.core.mig.GpuModel;
import io.migctl.core.mig.ProfileName;
import io.migctl.core.plan.Demand;
import io.migctl.core.plan.DemandPlan;
import io.migctl.core.plan.DemandPlanner;
import io.migctl.core.plan.NodeGpu;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@code up} submits each job with a need its node admits, as the plan placed it. */
class UpPlannedNeedTest {

  private static JobSpec spec(String name, GpuNeed gpu) {
    return new JobSpec(
        name,
        List.of("true"),
        Optional.empty(),
        Optional.empty(),
        gpu,
        0,
        "default",
        Optional.empty(),
        0,
        Map.of());
  }

  private static GpuNeed profile(String name) {
    return new GpuNeed.Profile(ProfileName.parse(name));
  }

  @Test
  void aProfileOfAnotherModelIsSubmittedAsThePlannedEquivalent() {
    List<NodeGpu> node = List.of(new NodeGpu(0, Catalog.H100_80GB, List.of()));
    List<GpuModel> models = List.of(Catalog.H100_80GB);
    JobSpec train = spec("train", profile("2g.10gb"));
    JobSpec infer = spec("infer", profile("1g.10gb"));
    JobSpec prep = spec("prep", GpuNeed.NONE);
    DemandPlan plan =
        new DemandPlanner()
            .plan(
                List.of(
                    new Demand("train", train.gpu(), 0),
                    new Demand("infer", infer.gpu(), 0),
                    new Demand("prep", prep.gpu(), 0)),
                node);

    GpuNeed trainNeed = Up.asPlanned(train, plan, node);
    assertThat(trainNeed).isEqualTo(profile("2g.20gb"));
    // The need as written would be refused here; the planned one is admitted.
    assertThat(Admission.requirement(trainNeed, models))
        .contains(
            new Requirement(
                Catalog.H100_80GB.profile(ProfileName.parse("2g.20gb")).orElseThrow().memoryMiB(),
                2));
    // Needs the node has, and no need, stay as they are.
    assertThat(Up.asPlanned(infer, plan, node)).isEqualTo(infer.gpu());
    assertThat(Up.asPlanned(prep, plan, node)).isEqualTo(GpuNeed.NONE);
  }
}
