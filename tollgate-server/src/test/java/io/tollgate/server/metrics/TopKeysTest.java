package io.tollgate.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The heavy-hitters windows, on a fake clock: "recently" is this window and the one before. */
class TopKeysTest {

  private final AtomicLong now = new AtomicLong(1_000_000 * TopKeys.WINDOW_MILLIS);
  private final TopKeys top = new TopKeys(now::get);

  private void take(String key, long units) {
    byte[] b = ("xx" + key + "yy").getBytes(StandardCharsets.US_ASCII);
    top.taken("l", b, 2, b.length - 2, units); // only [from, to) is the key
  }

  private String heaviest() {
    return top.top("l", 1).stream().map(h -> new String(h.keyParts(), StandardCharsets.US_ASCII) + "=" + h.units())
        .findFirst().orElse("none");
  }

  @Test
  void countsAreKeptForTwoWindowsAtMostAndMergedWhenAsked() {
    take("a", 3);
    take("b", 1);
    assertThat(heaviest()).isEqualTo("a=3");
    now.addAndGet(TopKeys.WINDOW_MILLIS);
    take("b", 3);
    assertThat(heaviest()).as("the window before still counts").isEqualTo("b=4");
    now.addAndGet(TopKeys.WINDOW_MILLIS);
    take("a", 1);
    assertThat(heaviest()).as("a's 3 are two windows old: gone").isEqualTo("b=3");
    now.addAndGet(3 * TopKeys.WINDOW_MILLIS);
    assertThat(top.top("l", 5)).as("nothing recent").isEmpty();
    assertThat(top.top("unknown", 5)).isEmpty();
  }

  @Test
  void memoryStaysBoundedUnderManyKeys() {
    for (int i = 0; i < 200_000; i++) {
      take("k" + i, 1);
    }
    take("hot", 50_000);
    assertThat(heaviest()).startsWith("hot=");
    assertThat(top.top("l", 10_000).size()).isLessThanOrEqualTo(TopKeys.MAX_MAP);
  }
}
