package io.migctl.nvidia.sim;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Reads and writes {@link SimState} as JSON. */
final class SimStateCodec {

  private final ObjectMapper json =
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  byte[] write(SimState state) {
    try {
      return json.writeValueAsBytes(state);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode the simulated node's state", e);
    }
  }

  SimState read(byte[] bytes, String source) {
    try {
      return json.readValue(bytes, SimState.class);
    } catch (IOException e) {
      throw new IllegalStateException(
          "the simulated node's state in "
              + source
              + " is unreadable ("
              + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j
                  ? j.getOriginalMessage()
                  : e.getMessage())
              + "); remove it or run 'migctl sim reset-state'",
          e);
    }
  }
}
