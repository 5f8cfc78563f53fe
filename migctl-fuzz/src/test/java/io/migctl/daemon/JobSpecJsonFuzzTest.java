package io.migctl.daemon;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.migctl.fuzz.Refusals;
import java.nio.charset.StandardCharsets;

/**
 * The body of {@code POST /api/v1/jobs} as the daemon reads it: strict JSON into {@link
 * SubmitRequest}, then the job spec it asks for. Every refusal must be a 4xx {@link
 * DaemonException} with a message for people (in the daemon's package, since the body reader is
 * package-private).
 */
class JobSpecJsonFuzzTest {

  @FuzzTest
  void readSubmission(byte[] body) {
    try {
      JsonBody.read(body, SubmitRequest.class).toSpec();
    } catch (DaemonException refusal) {
      if (refusal.status() < 400 || refusal.status() >= 500) {
        throw new AssertionError("a refusal with status " + refusal.status(), refusal);
      }
      Refusals.check(refusal, "", new String(body, StandardCharsets.UTF_8));
    }
  }
}
