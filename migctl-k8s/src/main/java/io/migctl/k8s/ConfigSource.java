package io.migctl.k8s;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the mig-parted file comes from: the operator's ConfigMap, mounted as a file whose content
 * the kubelet replaces when the ConfigMap changes, so it is read again at every reconcile.
 */
public interface ConfigSource {

  /** The file's text. */
  String read() throws IOException;

  /** Where it is, for messages. */
  String describe();

  /** A file on disk (the mounted ConfigMap's {@code config.yaml}). */
  static ConfigSource file(Path path) {
    return new ConfigSource() {
      @Override
      public String read() throws IOException {
        return Files.readString(path, StandardCharsets.UTF_8);
      }

      @Override
      public String describe() {
        return path.toString();
      }
    };
  }

  /** Fixed text, for tests and one-shot runs. */
  static ConfigSource text(String text, String name) {
    return new ConfigSource() {
      @Override
      public String read() {
        return text;
      }

      @Override
      public String describe() {
        return name;
      }
    };
  }
}
