package io.tollgate.bench;

import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The control row of run.sh: a filter at the starter's order that decides nothing and writes the
 * five header fields Tollgate writes on an allowed response of bench.yaml (the policy's default
 * header sets), values formatted per request as Tollgate formats them. What is left between this row
 * and the plain one is what the container charges for five more fields; between this row and the
 * starter's, what Tollgate's decision costs. Added to the example application with
 * {@code --spring.main.sources=io.tollgate.bench.HeaderFieldsOnly} (run.sh compiles it).
 */
@Configuration(proxyBeanMethods = false)
public class HeaderFieldsOnly {

  private static final String POLICY = "\"per-ip\";q=1000000000;w=1, \"per-path\";q=1000000000;w=1";

  @Bean
  FilterRegistrationBean<Filter> fiveHeaderFields() {
    long[] served = new long[1];
    Filter fields = (request, response, chain) -> {
      HttpServletResponse res = (HttpServletResponse) response;
      long remaining = 999_999_999L - (served[0]++ & 1023); // racy on purpose: a number that changes
      res.setHeader("X-RateLimit-Limit", Long.toString(1_000_000_000L));
      res.setHeader("X-RateLimit-Remaining", Long.toString(remaining));
      res.setHeader("X-RateLimit-Reset", Long.toString(System.currentTimeMillis() / 1000 + 1));
      res.setHeader("RateLimit-Policy", POLICY);
      res.setHeader("RateLimit", "\"per-ip\";r=" + remaining + ";t=1");
      chain.doFilter(request, response);
    };
    FilterRegistrationBean<Filter> bean = new FilterRegistrationBean<>(fields);
    bean.setOrder(-101); // tollgate.filter-order's default
    return bean;
  }
}
