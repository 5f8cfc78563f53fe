package io.migctl.core.mig;

/**
 * The engines a GPU-instance profile owns, as {@code nvidia-smi mig -lgip} prints them.
 *
 * @param copy copy engines (CE)
 * @param decoders video decoders (NVDEC)
 * @param encoders video encoders (NVENC)
 * @param jpeg JPEG decoders (NVJPG)
 * @param ofa optical-flow accelerators (OFA)
 */
public record Engines(int copy, int decoders, int encoders, int jpeg, int ofa) {
  public Engines {
    if (copy < 0 || decoders < 0 || encoders < 0 || jpeg < 0 || ofa < 0) {
      throw new IllegalArgumentException(
          "engine counts are never negative: CE "
              + copy
              + ", DEC "
              + decoders
              + ", ENC "
              + encoders
              + ", JPEG "
              + jpeg
              + ", OFA "
              + ofa);
    }
  }
}
