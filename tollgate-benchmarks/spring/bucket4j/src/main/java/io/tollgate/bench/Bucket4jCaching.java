package io.tollgate.bench;

import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.annotation.Configuration;

/**
 * Turns on Spring's cache abstraction, so that Spring Boot configures the JCache (Caffeine)
 * CacheManager bucket4j-spring-boot-starter keeps its buckets in. Added to the example application
 * with {@code --spring.main.sources=io.tollgate.bench.Bucket4jCaching}.
 */
@Configuration(proxyBeanMethods = false)
@EnableCaching
public class Bucket4jCaching {}
