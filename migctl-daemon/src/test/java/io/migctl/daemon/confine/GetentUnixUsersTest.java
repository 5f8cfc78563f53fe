package io.migctl.daemon.confine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class GetentUnixUsersTest {

  @Test
  void thePasswdLineOfTheNameGivesItsIds() {
    String passwd =
        "alicia:x:1002:1002::/home/alicia:/bin/sh\nalice:x:1001:100:Alice:/home/alice:/bin/bash\n";
    assertThat(GetentUnixUsers.parse("alice", passwd))
        .contains(new UnixIdentity("alice", 1001, 100));
    assertThat(GetentUnixUsers.parse("bob", passwd)).isEmpty();
    assertThat(GetentUnixUsers.parse("alice", "alice:x:nope:100::/:/bin/sh")).isEmpty();
  }
}
