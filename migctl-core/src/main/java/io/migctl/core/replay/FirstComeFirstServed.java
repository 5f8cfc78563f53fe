package io.migctl.core.replay;

import java.util.List;

/** {@link Fairness#fifo()}: the queue in arrival order, whoever submitted it. */
final class FirstComeFirstServed implements Fairness {

  static final FirstComeFirstServed INSTANCE = new FirstComeFirstServed();

  private FirstComeFirstServed() {}

  @Override
  public String name() {
    return "fifo";
  }

  @Override
  public List<SimJob> order(List<SimJob> waiting, Node node) {
    return waiting;
  }
}
