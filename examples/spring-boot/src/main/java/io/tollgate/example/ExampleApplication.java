package io.tollgate.example;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/**
 * An API with One Stack's limits (src/main/resources/tollgate.yaml): nothing here knows about them;
 * the starter's filter enforces them from the one property in application.properties.
 */
@SpringBootApplication
@RestController
public class ExampleApplication {

  public static void main(String[] args) {
    SpringApplication.run(ExampleApplication.class, args);
  }

  private static final String REPORT = "{\"report\":\"" + "x".repeat(1000) + "\"}\n";

  /** A 1 KB answer (tollgate-benchmarks/spring/run.sh measures the filter's cost on it). */
  @GetMapping("/v1/report")
  String report() {
    return REPORT;
  }

  /** An item, with an ETag: a client that sends it back gets 304, which the policy does not count. */
  @GetMapping("/v1/items/{id}")
  ResponseEntity<String> item(@PathVariable("id") String id,
      @RequestHeader(value = "If-None-Match", required = false) String ifNoneMatch) {
    String tag = "\"item-" + id + "-v1\"";
    if (tag.equals(ifNoneMatch)) {
      return ResponseEntity.status(304).eTag(tag).build();
    }
    return ResponseEntity.ok().eTag(tag).body("{\"id\":\"" + id + "\"}");
  }
}
