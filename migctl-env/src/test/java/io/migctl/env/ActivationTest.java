package io.migctl.env;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ActivationTest {

  @TempDir Path dir;

  private Path executable(String relative) throws IOException {
    Path file = dir.resolve(relative);
    Files.createDirectories(file.getParent());
    Files.writeString(file, "#!/bin/sh\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    return file;
  }

  private static int bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }

  @Test
  void theWidestProgramIsNeverShorterThanTheResolvedOne() throws IOException {
    Path shortDir = executable("b/tool").getParent();
    Path wideDir = executable("a-longer-directory/ünïcödé/tool").getParent();
    // 28 characters and bytes, against the 26 characters but 30 bytes of "a-longer-…/ünïcödé".
    Path longest = Files.createDirectories(dir.resolve("c".repeat(28)));
    for (String path :
        List.of(
            shortDir + ":" + wideDir,
            wideDir + ":" + shortDir,
            ":" + shortDir + "::" + longest,
            longest + ":" + wideDir)) {
      Map<String, String> env = Map.of("PATH", path);
      List<String> resolved = Activation.resolveProgram(List.of("tool", "--x"), env);
      List<String> widest = Activation.widestProgram(List.of("tool", "--x"), env);
      assertThat(bytes(widest.getFirst()))
          .as(path)
          .isGreaterThanOrEqualTo(bytes(resolved.getFirst()));
      assertThat(widest.subList(1, widest.size())).containsExactly("--x");
    }
    assertThat(
            Activation.widestProgram(List.of("tool"), Map.of("PATH", wideDir + ":" + longest))
                .getFirst())
        .as("the longest in UTF-8 bytes")
        .isEqualTo(wideDir + "/tool");
  }

  @Test
  void aPathWithASlashOrNoPathLeavesTheCommandAsItIs() {
    assertThat(Activation.widestProgram(List.of("./run.sh", "a"), Map.of("PATH", "/usr/bin")))
        .containsExactly("./run.sh", "a");
    assertThat(Activation.widestProgram(List.of("python"), Map.of())).containsExactly("python");
    assertThat(Activation.widestProgram(List.of("python"), Map.of("PATH", "::")))
        .containsExactly("python");
    assertThat(Activation.widestProgram(List.of(), Map.of("PATH", "/bin"))).isEmpty();
  }
}
