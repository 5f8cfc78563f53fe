package io.migctl.core.replay;

import io.migctl.core.mig.PlacedInstance;

/**
 * One MIG instance of a simulated GPU and what it does: idle, busy with a job, or being created
 * (ready at {@link #readyAt()}), possibly reserved for a job that starts when it is ready.
 */
public final class SimSlot {

  private final int gpu;
  private final PlacedInstance instance;
  private double readyAt;
  private SimJob job;
  private SimJob reserved;

  SimSlot(int gpu, PlacedInstance instance, double readyAt) {
    this.gpu = gpu;
    this.instance = instance;
    this.readyAt = readyAt;
  }

  public int gpu() {
    return gpu;
  }

  public PlacedInstance instance() {
    return instance;
  }

  /** Compute slices of the instance. */
  public int slices() {
    return instance.profile().computeSlices();
  }

  /** When the instance exists (creation done). */
  public double readyAt() {
    return readyAt;
  }

  /** The running job, or {@code null}. */
  public SimJob job() {
    return job;
  }

  /** The job waiting for this instance's creation, or {@code null}. */
  public SimJob reserved() {
    return reserved;
  }

  /** Whether a job runs here. */
  public boolean busy() {
    return job != null;
  }

  /** Whether a job may be started or reserved here at {@code now}. */
  public boolean free() {
    return job == null && reserved == null;
  }

  /** Whether the instance exists at {@code now}. */
  public boolean ready(double now) {
    return readyAt <= now;
  }

  void run(SimJob j) {
    job = j;
    reserved = null;
  }

  void reserve(SimJob j) {
    reserved = j;
  }

  void release() {
    job = null;
  }

  void readyAt(double t) {
    readyAt = t;
  }

  @Override
  public String toString() {
    return "gpu" + gpu + ":" + instance + (job != null ? " job " + job.id() : "");
  }
}
