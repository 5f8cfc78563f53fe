package io.migctl.k8s;

/**
 * migctl's details on the node, beside the MIG manager's own labels (whose values stay the
 * manager's): {@code migctl.io/*} annotations.
 */
public final class Annotations {

  /** The config last applied (or found already applied). */
  public static final String CONFIG = "migctl.io/applied-config";

  /** A hash of that config's entries, to tell an edited ConfigMap from the one applied. */
  public static final String CONFIG_HASH = "migctl.io/applied-config-hash";

  /** Why the node is {@code pending} or {@code failed}; absent on success. */
  public static final String REASON = "migctl.io/reason";

  /** Who holds the devices that block a change. */
  public static final String HOLDERS = "migctl.io/holders";

  /** The plan of the change underway or last made. */
  public static final String PLAN = "migctl.io/plan";

  /** When the node went pending for {@link #PENDING_CONFIG}. */
  public static final String PENDING_SINCE = "migctl.io/pending-since";

  /** The config the node is pending for. */
  public static final String PENDING_CONFIG = "migctl.io/pending-config";

  /**
   * Present while a change is underway (clients paused, GPUs changing): an agent that finds it at
   * start finishes or undoes the change and restores the clients.
   */
  public static final String CHANGE = "migctl.io/change";

  private Annotations() {}
}
