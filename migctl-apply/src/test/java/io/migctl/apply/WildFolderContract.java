package io.migctl.apply;

import io.migctl.apply.WildFileExpectations.Expect;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The tests every folder of real mig-parted files gets: each file is classified in {@link
 * #expected()}, and each one reads as classified.
 */
interface WildFolderContract {

  /** The folder of files. */
  Path folder();

  /** Every file of the folder (relative path) and what reading it gives. */
  Map<String, Expect> expected();

  @Test
  default void everyFileIsClassified() throws IOException {
    WildFileExpectations.assertEveryFileIsClassified(folder(), expected().keySet());
  }

  @TestFactory
  default Stream<DynamicTest> readsAsMigPartedWould() {
    return expected().entrySet().stream()
        .map(
            e ->
                DynamicTest.dynamicTest(
                    e.getKey(),
                    () -> WildFileExpectations.checkFile(folder(), e.getKey(), e.getValue())));
  }
}
