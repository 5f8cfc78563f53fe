package io.migctl.core.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HomeCheckTest {

  private static final String HOME = "/home/ana/.local/share/migctl";

  @ParameterizedTest
  @ValueSource(ints = {0700, 0500, 0300, 01700, 0711, 0701, 0710})
  void aFolderOfItsUserThatNobodyElseCanReadIsPrivate(int mode) {
    assertThat(HomeCheck.judge(HOME, mode, "ana", "ana")).isEqualTo(new HomeCheck.Private());
  }

  @ParameterizedTest
  @ValueSource(ints = {0755, 0750, 0745, 0704, 0740})
  void aFolderOthersCanReadIsMadePrivate(int mode) {
    assertThat(HomeCheck.judge(HOME, mode, "ana", "ana"))
        .isInstanceOfSatisfying(
            HomeCheck.MakePrivate.class,
            m ->
                assertThat(m.note())
                    .contains(HOME, HomeCheck.octal(mode), "owner ana", "made it private (0700)"));
  }

  @Test
  void aFolderItsGroupCanWriteIsRefusedWithTheFix() {
    assertThat(HomeCheck.judge(HOME, 0775, "ana", "ana"))
        .isEqualTo(
            new HomeCheck.Refuse(
                "$MIGCTL_HOME "
                    + HOME
                    + " has mode 0775 (owner ana): its group can write it and so replace"
                    + " migctl's database, token and job files. Make it private: chmod 700 "
                    + HOME));
  }

  @Test
  void aFolderEveryoneCanWriteSaysSo() {
    assertThat(HomeCheck.judge(HOME, 01777, "ana", "ana"))
        .isInstanceOfSatisfying(
            HomeCheck.Refuse.class,
            r ->
                assertThat(r.message())
                    .contains("mode 1777", "its group and every user can write it", "chmod 700"));
    assertThat(HomeCheck.judge(HOME, 0702, "ana", "ana"))
        .isInstanceOfSatisfying(
            HomeCheck.Refuse.class,
            r -> assertThat(r.message()).contains(": every user can write it"));
  }

  @Test
  void anotherUsersFolderIsRefusedWhateverItsMode() {
    assertThat(HomeCheck.judge(HOME, 0700, "bob", "ana"))
        .isInstanceOfSatisfying(
            HomeCheck.Refuse.class,
            r ->
                assertThat(r.message())
                    .contains(
                        HOME,
                        "mode 0700",
                        "owner bob",
                        "migctl runs as ana",
                        "chown ana " + HOME + " && chmod 700 " + HOME));
  }

  @Test
  void refusesModesThatAreNotPermissionBits() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> HomeCheck.judge(HOME, 0100755, "ana", "ana"))
        .withMessageContaining("100755");
  }
}
