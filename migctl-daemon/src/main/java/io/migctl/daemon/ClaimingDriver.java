package io.migctl.daemon;

import io.migctl.core.mig.DeviceProcess;
import io.migctl.core.mig.ForwardingMigDriver;
import io.migctl.core.mig.MigDriver;
import java.util.ArrayList;
import java.util.List;

/**
 * A real driver as the daemon sees it: every call goes to the driver, and each GPU's processes also
 * list the daemon's claims on its MIG devices ({@link DeviceClaims.Recorded}), so that a job whose
 * process has not opened its device yet still makes it busy.
 */
final class ClaimingDriver extends ForwardingMigDriver {

  private final DeviceClaims.Recorded claims;

  ClaimingDriver(MigDriver driver, DeviceClaims.Recorded claims) {
    super(driver);
    this.claims = claims;
  }

  @Override
  public List<DeviceProcess> processes(int gpu) {
    List<DeviceProcess> seen = delegate.processes(gpu);
    List<DeviceProcess> claimed = claims.on(gpu);
    if (claimed.isEmpty()) {
      return seen;
    }
    List<DeviceProcess> out = new ArrayList<>(seen);
    out.addAll(claimed);
    return out;
  }
}
