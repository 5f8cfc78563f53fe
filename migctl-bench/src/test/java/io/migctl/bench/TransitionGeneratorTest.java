package io.migctl.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.migctl.core.mig.Catalog;
import io.migctl.core.mig.GpuInstanceProfile;
import io.migctl.core.mig.GpuModel;
import io.migctl.core.mig.Layout;
import io.migctl.core.mig.PlacementSearch;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TransitionGeneratorTest {

  private static final long SEED = 99;

  @Test
  void drawsValidLayoutsAndPlaceableTargetsOfEveryKind() {
    for (GpuModel model : Catalog.models()) {
      TransitionGenerator generator = new TransitionGenerator(model, new Random(SEED));
      int busy = 0;
      int near = 0;
      int empty = 0;
      for (int i = 0; i < 300; i++) {
        Transition t = generator.next(i);
        String context = model.key() + ", seed " + SEED + ", " + t;
        assertThat(new Layout(t.current()).checkOn(model).isValid()).as(context).isTrue();
        assertThat(t.target()).as(context).isNotEmpty();
        Map<GpuInstanceProfile, Integer> counts = new LinkedHashMap<>();
        t.target().forEach(p -> counts.merge(p, 1, Integer::sum));
        assertThat(new PlacementSearch(model).place(counts).isPlaceable()).as(context).isTrue();
        busy += t.hasBusyDevice() ? 1 : 0;
        near += t.nearCurrent() ? 1 : 0;
        empty += t.current().isEmpty() ? 1 : 0;
      }
      assertThat(busy).as(model.key()).isBetween(60, 240);
      assertThat(near).as(model.key()).isBetween(50, 150);
      assertThat(empty).as(model.key()).isPositive();
    }
  }

  @Test
  void theSameSeedDrawsTheSameTransitions() {
    TransitionGenerator a = new TransitionGenerator(Catalog.H100_80GB, new Random(SEED));
    TransitionGenerator b = new TransitionGenerator(Catalog.H100_80GB, new Random(SEED));
    for (int i = 0; i < 100; i++) {
      assertThat(b.next(i)).isEqualTo(a.next(i));
    }
  }

  @Test
  void setsUpTheCurrentLayoutWithItsBusyDevicesOnTheSimulatedNode() {
    TransitionGenerator generator = new TransitionGenerator(Catalog.A100_40GB, new Random(SEED));
    for (int i = 0; i < 100; i++) {
      Transition t = generator.next(i);
      TransitionRunner.Observation seen = TransitionRunner.observe(TransitionRunner.setUp(t));
      assertThat(seen.busy())
          .as("seed %d, %s", SEED, t)
          .hasSize((int) t.busy().stream().filter(b -> b).count());
      assertThat(seen.busy().size() + seen.idle().size()).isEqualTo(t.current().size());
    }
  }
}
