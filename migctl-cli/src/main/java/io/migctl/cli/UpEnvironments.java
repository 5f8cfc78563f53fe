package io.migctl.cli;

import io.migctl.daemon.up.Up;
import io.migctl.env.spec.CheckedSpec;
import io.migctl.env.store.EnvironmentStore;
import java.util.Optional;

/**
 * {@code up}'s environments, checked and built as {@code migctl env create --backend} does.
 *
 * @param backend the {@code --backend} that builds them
 */
record UpEnvironments(MigctlCommand root, String backend) implements Up.Environments {

  @Override
  public Optional<String> problem(String specFile) {
    try {
      EnvCommand.SpecOptions options = new EnvCommand.SpecOptions();
      options.file = specFile;
      options.backend = backend;
      CheckedSpec checked = EnvCommand.readSpec(root, options);
      EnvCommand.builds(root).backend(checked, options.backend(null));
      return Optional.empty();
    } catch (IllegalArgumentException | InvalidInputException e) {
      return Optional.of(e.getMessage());
    }
  }

  @Override
  public EnvironmentStore.Created build(String name, String specFile) {
    return EnvCommand.Create.buildForWorkload(root, specFile, backend, name);
  }
}
