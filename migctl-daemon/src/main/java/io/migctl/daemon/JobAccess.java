package io.migctl.daemon;

import io.javalin.http.Context;
import io.migctl.core.job.Job;
import io.migctl.core.tenant.Principal;

/**
 * The job a request's path names, as the request's principal may see it: another tenant's job is
 * answered exactly as a job that does not exist (404, the same body), so ids leak nothing.
 */
final class JobAccess {

  private JobAccess() {}

  /**
   * The job of the {@code {id}} path parameter.
   *
   * @throws DaemonException 404 when there is no such job or it is another tenant's
   */
  static Job visible(JobService jobs, Context ctx) {
    long id = RequestParams.jobId(ctx);
    Principal p = ApiAccess.principal(ctx);
    return jobs.find(id)
        .filter(j -> p.sees(j.spec().tenant()))
        .orElseThrow(() -> JobService.noJob(id));
  }
}
