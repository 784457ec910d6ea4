import io.tollgate.client.Listener;
import io.tollgate.client.TollgateClient;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Pulls N pages through a rate-limited API with the Tollgate client and prints its pacing as it
 * goes: the client reads each response's rate-limit headers and, when nothing remains, waits for
 * the reset instead of being refused.
 *
 * <pre>
 * java -cp tollgate-client/target/tollgate-client-0.2.0-SNAPSHOT.jar examples/client/PullPages.java \
 *     http://localhost:8080/catalog/items 300
 * </pre>
 * (examples/client/run.sh starts a gateway on examples/platform-api.yaml and runs it.)
 */
public class PullPages {

  public static void main(String[] args) throws Exception {
    String url = args.length > 0 ? args[0] : "http://localhost:8080/catalog/items";
    int pages = args.length > 1 ? Integer.parseInt(args[1]) : 300;
    AtomicInteger refusals = new AtomicInteger();
    AtomicInteger waits = new AtomicInteger();
    AtomicLong waited = new AtomicLong();
    long start = System.nanoTime();
    TollgateClient client = TollgateClient.builder().listener(new Listener() {
      @Override
      public void paced(HttpRequest request, Duration wait) {
        waits.incrementAndGet();
        waited.addAndGet(wait.toMillis());
        System.out.printf("%7.3f s  waited %4d ms for the reset before %s%n", seconds(start), wait.toMillis(),
            request.uri().getQuery());
      }

      @Override
      public void refused(HttpRequest request, int status) {
        refusals.incrementAndGet();
        System.out.printf("%7.3f s  REFUSED %d: %s%n", seconds(start), status, request.uri());
      }
    }).build();

    for (int page = 1; page <= pages; page++) {
      HttpRequest request = HttpRequest.newBuilder(URI.create(url + "?page=" + page)).build();
      HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        System.out.printf("page %d: status %d, stopping%n", page, response.statusCode());
        break;
      }
      if (page % 25 == 0 || page == pages) {
        System.out.printf("%7.3f s  page %d of %d, X-RateLimit-Remaining %s%n", seconds(start), page, pages,
            response.headers().firstValue("X-RateLimit-Remaining").orElse("-"));
      }
    }
    System.out.printf("%d pages in %.1f s: %d refusals, %d waits for a reset (%.1f s in all)%n", pages, seconds(start),
        refusals.get(), waits.get(), waited.get() / 1000.0);
  }

  private static double seconds(long start) {
    return (System.nanoTime() - start) / 1e9;
  }
}
