package selflengthen.method;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ChineseNumeralsTest {
  @Test
  void writesTheLimitsLengthControlUses() {
    assertEquals("零", ChineseNumerals.of(0));
    assertEquals("五", ChineseNumerals.of(5));
    assertEquals("十", ChineseNumerals.of(10));
    assertEquals("十五", ChineseNumerals.of(15));
    assertEquals("一百一十", ChineseNumerals.of(110));
    assertEquals("一百零五", ChineseNumerals.of(105));
    assertEquals("九百", ChineseNumerals.of(900));
    assertEquals("一千", ChineseNumerals.of(1000));
    assertEquals("二千", ChineseNumerals.of(2000));
    assertEquals("二千五百", ChineseNumerals.of(2500));
    assertEquals("三千零五十", ChineseNumerals.of(3050));
    assertEquals("八千", ChineseNumerals.of(8000));
    assertEquals("一万", ChineseNumerals.of(10000));
    assertEquals("一万零一百", ChineseNumerals.of(10100));
    assertEquals("十万", ChineseNumerals.of(100000));
    assertEquals("一亿零一", ChineseNumerals.of(100000001));
  }
}
