package selflengthen.model.io;

/** Tensor element types of safetensors files; the engine computes in F32 and reads the others. */
public enum DType {
  F32(4, "float32"),
  F16(2, "float16"),
  BF16(2, "bfloat16");

  private final int bytes;
  private final String torchName;

  DType(int bytes, String torchName) {
    this.bytes = bytes;
    this.torchName = torchName;
  }

  public int bytes() {
    return bytes;
  }

  /** The name config.json uses in torch_dtype. */
  public String torchName() {
    return torchName;
  }

  public static DType parse(String safetensorsName, String tensor) {
    return switch (safetensorsName) {
      case "F32" -> F32;
      case "F16" -> F16;
      case "BF16" -> BF16;
      default -> throw new UnsupportedDtypeException(
          "tensor '" + tensor + "' has dtype " + safetensorsName
              + "; supported: F32, F16, BF16");
    };
  }

  public static DType fromTorchName(String name) {
    for (DType d : values()) {
      if (d.torchName.equals(name)) {
        return d;
      }
    }
    throw new UnsupportedDtypeException(
        "unsupported dtype '" + name + "'; supported: float32, float16, bfloat16");
  }

  /** Thrown for element types the engine cannot read. */
  public static final class UnsupportedDtypeException extends IllegalArgumentException {
    public UnsupportedDtypeException(String message) {
      super(message);
    }
  }
}
