package selflengthen.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConstraintNumbersTest {

  private static List<Double> values(String text) {
    return ConstraintNumbers.find(text).stream().map(ConstraintNumbers.Found::value).toList();
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "大约2000字 | 2000",
        "两千字 | 2000",
        "二千 | 2000",
        "一万字 | 10000",
        "1万字 | 10000",
        "2.5万字 | 25000",
        "三千五百字 | 3500",
        "三千五 | 3500",
        "一万五千 | 15000",
        "一万五 | 15000",
        "两千零五 | 2005",
        "十五 | 15",
        "3千5百 | 3500",
        "about 2,000 words | 2000",
        "more than 12,500 words | 12500",
        "at least 4k words | 4000",
        "２０００字 | 2000",
        "约四千字。 | 4000",
      })
  void readsOneNumber(String text, double expected) {
    assertEquals(List.of(expected), values(text));
  }

  @ParameterizedTest(name = "{0} -> {1}, {2}")
  @CsvSource(
      delimiter = '|',
      value = {
        "2000-3000 words | 2000 | 3000",
        "2000至3000 | 2000 | 3000",
        "2000到3000字 | 2000 | 3000",
        "2000~3000 | 2000 | 3000",
        "2000字至3000字 | 2000 | 3000",
        "两千至三千字 | 2000 | 3000",
        "between 2,000 and 3,500 words | 2000 | 3500",
      })
  void readsTwoNumbersInOrder(String text, double first, double second) {
    assertEquals(List.of(first, second), values(text));
  }
}
