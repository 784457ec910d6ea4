package io.tollgate.spring;

import io.tollgate.config.PolicyException;
import io.tollgate.core.RateLimiter;
import io.tollgate.config.StoreSettings;
import io.tollgate.servlet.TollgateFilter;
import io.tollgate.spring.reactive.TollgateWebFilter;
import jakarta.servlet.DispatcherType;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ResourceLoader;

/**
 * Tollgate in a Spring Boot application, on when {@code tollgate.policy} is set (and
 * {@code tollgate.enabled} is not false): the policy file read at start (a bad one stops the
 * application with its errors at file:line:col), its store opened, a {@link RateLimiter} bean, and
 * the filter on every request: {@link TollgateFilter} in a servlet application, {@link TollgateWebFilter}
 * in a WebFlux one; with a
 * {@link MeterRegistry} (the actuator), the engine's and the store's meters in it.
 */
@AutoConfiguration
@ConditionalOnProperty(prefix = "tollgate", name = "policy")
@ConditionalOnProperty(prefix = "tollgate", name = "enabled", havingValue = "true", matchIfMissing = true)
@EnableConfigurationProperties(TollgateProperties.class)
public class TollgateAutoConfiguration {

  private static final Logger log = LoggerFactory.getLogger("tollgate");

  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  public TollgatePolicy tollgatePolicy(TollgateProperties properties, ResourceLoader resources,
      ObjectProvider<MeterRegistry> registry) throws PolicyException {
    TollgatePolicy p = TollgatePolicy.load(resources.getResource(properties.getPolicy()), properties.getStore(),
        registry.getIfAvailable());
    if (properties.getReload() == TollgateProperties.Reload.WATCH) {
      p.watch();
    }
    log.info("tollgate: policy {} ({} routes, {} limits, sha256 {}), store {}", p.file().source(),
        p.file().policy().routes().size(), p.file().policy().limits().size(), p.file().sha256(),
        p.storeSettings().describe());
    p.file().warnServerOnly(log);
    return p;
  }

  /** The engine, for code that decides itself (a queue consumer, a scheduled job). */
  @Bean
  @ConditionalOnMissingBean
  public RateLimiter tollgateRateLimiter(TollgatePolicy policy) {
    return new CurrentRateLimiter(policy::limiter);
  }

  /** {@code /actuator/tollgate} and the {@code tollgate} health, when the application has the actuator. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.boot.actuate.endpoint.annotation.Endpoint")
  static class Actuator {

    @Bean
    @ConditionalOnMissingBean
    TollgateEndpoint tollgateEndpoint(TollgatePolicy policy) {
      return new TollgateEndpoint(policy);
    }

    @Bean(name = "tollgateHealthIndicator")
    @ConditionalOnMissingBean(name = "tollgateHealthIndicator")
    TollgateHealthIndicator tollgateHealthIndicator(TollgatePolicy policy) {
      return new TollgateHealthIndicator(policy);
    }
  }

  /** The filter on every request of a servlet application, before Spring Security's chain by default. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
  @ConditionalOnClass(FilterRegistrationBean.class)
  static class Servlet {

    @Bean
    @ConditionalOnMissingBean(name = "tollgateFilter")
    FilterRegistrationBean<TollgateFilter> tollgateFilter(TollgatePolicy policy, TollgateProperties properties) {
      TollgateFilter filter = TollgateFilter.of(policy.admission());
      policy.onReload(filter::update);
      FilterRegistrationBean<TollgateFilter> r = new FilterRegistrationBean<>(filter);
      r.setName("tollgateFilter");
      r.setOrder(properties.getFilterOrder());
      r.setAsyncSupported(true);
      r.setDispatcherTypes(DispatcherType.REQUEST);
      r.addUrlPatterns("/*");
      return r;
    }
  }

  /** The WebFilter on every request of a WebFlux application, at {@code tollgate.filter-order}. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
  @ConditionalOnClass(name = "org.springframework.web.server.WebFilter")
  static class Reactive {

    @Bean
    @ConditionalOnMissingBean(name = "tollgateWebFilter")
    TollgateWebFilter tollgateWebFilter(TollgatePolicy policy, TollgateProperties properties) {
      TollgateWebFilter filter = new TollgateWebFilter(policy.admission(), policy.storeSettings() instanceof StoreSettings.Redis,
          properties.getFilterOrder());
      policy.onReload(filter::update);
      return filter;
    }
  }
}
