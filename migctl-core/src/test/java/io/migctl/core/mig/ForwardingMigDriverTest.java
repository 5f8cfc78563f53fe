package io.migctl.core.mig;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A forwarding driver that overrides nothing behaves exactly as the driver it wraps. */
class ForwardingMigDriverTest {

  /** A call as the wrapped driver saw it, and what it answered. */
  private record Call(String method, List<Object> args, Object answer) {}

  /** A distinct answer for each return type, so that a forwarder cannot make one up. */
  private static Object answer(Class<?> type) {
    if (type == List.class) {
      return new ArrayList<>(List.of("answer"));
    }
    if (type == int.class) {
      return 42;
    }
    if (type == GpuModel.class) {
      return Catalog.H100_80GB;
    }
    if (type == GpuInstance.class) {
      return new GpuInstance(3, 7, 9, new Placement(4, 4));
    }
    if (type == ComputeInstance.class) {
      return new ComputeInstance(3, 7, 1, 2, new Placement(2, 1), "MIG-answer");
    }
    if (type == MigMode.class) {
      return new MigMode(true, false);
    }
    if (type == GpuTopology.class) {
      return GpuTopology.unknown(3);
    }
    return null;
  }

  /** Distinct arguments for each parameter of {@code m}. */
  private static Object[] arguments(Method m) {
    Class<?>[] types = m.getParameterTypes();
    Object[] args = new Object[types.length];
    for (int i = 0; i < types.length; i++) {
      if (types[i] == int.class) {
        args[i] = 10 + i;
      } else if (types[i] == boolean.class) {
        args[i] = true;
      } else if (types[i] == Optional.class) {
        args[i] = Optional.of(new Placement(i, 1));
      } else {
        throw new AssertionError("no argument for " + types[i] + " of " + m);
      }
    }
    return args;
  }

  @Test
  void everyCallReachesTheWrappedDriverWithItsArgumentsAndItsAnswerComesBack()
      throws IllegalAccessException, InvocationTargetException {
    List<Call> calls = new ArrayList<>();
    MigDriver wrapped =
        (MigDriver)
            Proxy.newProxyInstance(
                MigDriver.class.getClassLoader(),
                new Class<?>[] {MigDriver.class},
                (proxy, method, args) -> {
                  Object answer = answer(method.getReturnType());
                  calls.add(
                      new Call(
                          method.getName(),
                          args == null ? List.of() : Arrays.asList(args),
                          answer));
                  return answer;
                });
    MigDriver forwarding = new ForwardingMigDriver(wrapped) {};

    List<Method> methods = Arrays.stream(MigDriver.class.getMethods()).toList();
    assertThat(methods).hasSizeGreaterThanOrEqualTo(12);
    for (Method m : methods) {
      Object[] args = arguments(m);
      Object got = m.invoke(forwarding, args);

      Call seen = calls.getLast();
      assertThat(seen.method()).as("%s reaches the wrapped driver", m).isEqualTo(m.getName());
      assertThat(seen.args()).as("%s's arguments", m).containsExactly(args);
      if (m.getReturnType() != void.class) {
        assertThat(got).as("%s's answer", m).isSameAs(seen.answer());
      }
    }
    assertThat(calls).hasSameSizeAs(methods);
  }
}
