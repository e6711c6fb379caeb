package selflengthen.model.io;

/**
 * IEEE half and bfloat16 conversions (Java 17 has neither). bfloat16 is widened while reading
 * bytes because DJL's PyTorch binding aborts the JVM on any bf16 tensor.
 */
public final class HalfFloats {
  private HalfFloats() {}

  public static float bf16ToFloat(short bits) {
    return Float.intBitsToFloat((bits & 0xffff) << 16);
  }

  /** Round to nearest even, as torch does when casting float32 to bfloat16. */
  public static short floatToBf16(float f) {
    int x = Float.floatToRawIntBits(f);
    if ((x & 0x7fffffff) > 0x7f800000) {
      return (short) ((x >>> 16) | 0x40); // quiet NaN
    }
    int rounding = 0x7fff + ((x >>> 16) & 1);
    return (short) ((x + rounding) >>> 16);
  }

  public static float f16ToFloat(short h) {
    int bits = h & 0xffff;
    int sign = (bits & 0x8000) << 16;
    int exp = (bits >>> 10) & 0x1f;
    int mant = bits & 0x3ff;
    if (exp == 0x1f) {
      return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
    }
    if (exp == 0) {
      if (mant == 0) {
        return Float.intBitsToFloat(sign);
      }
      // subnormal half: value = mant * 2^-24
      float v = mant * 0x1p-24f;
      return sign == 0 ? v : -v;
    }
    return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
  }

  /** Round to nearest even, with overflow to infinity and gradual underflow. */
  public static short floatToF16(float f) {
    int x = Float.floatToRawIntBits(f);
    int sign = (x >>> 16) & 0x8000;
    int abs = x & 0x7fffffff;
    if (abs > 0x7f800000) {
      return (short) (sign | 0x7e00);
    }
    if (abs >= 0x477ff000) { // rounds to >= 65520: infinity
      return (short) (sign | 0x7c00);
    }
    if (abs < 0x38800000) { // below the smallest normal half: subnormal or zero
      float a = Float.intBitsToFloat(abs);
      int m = Math.round(a * 0x1p24f); // Math.round is half-up; fix ties to even below
      float exact = a * 0x1p24f;
      if (exact - Math.floor(exact) == 0.5 && (m & 1) == 1) {
        m -= 1;
      }
      return (short) (sign | m);
    }
    int exp = ((abs >>> 23) - 112) << 10;
    int mant = abs & 0x7fffff;
    int half = exp | (mant >>> 13);
    int rest = mant & 0x1fff;
    if (rest > 0x1000 || (rest == 0x1000 && (half & 1) == 1)) {
      half++;
    }
    return (short) (sign | half);
  }
}
