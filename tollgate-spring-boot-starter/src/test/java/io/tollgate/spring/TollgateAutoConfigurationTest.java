package io.tollgate.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.tollgate.config.PolicyException;
import io.tollgate.core.RateLimiter;
import io.tollgate.core.store.MemoryStore;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** When the auto-configuration applies, and a bad policy file stopping the start with its positions. */
class TollgateAutoConfigurationTest {

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(TollgateAutoConfiguration.class));

  @Test
  void offWithoutAPolicyOrWhenDisabled() {
    runner.run(ctx -> assertThat(ctx).doesNotHaveBean(RateLimiter.class));
    runner.withPropertyValues("tollgate.policy=classpath:tollgate-test.yaml", "tollgate.enabled=false")
        .run(ctx -> assertThat(ctx).doesNotHaveBean(RateLimiter.class));
  }

  @Test
  void aPolicyGivesTheRateLimiterBeanAndTheStoreOverrideApplies() {
    runner.withPropertyValues("tollgate.policy=classpath:tollgate-test.yaml", "tollgate.store=memory").run(ctx -> {
      assertThat(ctx).hasSingleBean(RateLimiter.class);
      assertThat(ctx.getBean(TollgatePolicy.class).store()).isInstanceOf(MemoryStore.class);
      // a class path resource that is a file (not in a jar) is read as the file: its errors name it
      assertThat(ctx.getBean(TollgatePolicy.class).file().source()).endsWith("test-classes/tollgate-test.yaml");
    });
    runner.withPropertyValues("tollgate.policy=classpath:tollgate-test.yaml", "tollgate.store=mongodb://x")
        .run(ctx -> assertThat(ctx).getFailure().rootCause().hasMessageContaining("tollgate.store must be memory"));
  }

  @Test
  void aBadPolicyStopsTheStartWithItsErrorsAtTheirPositions() {
    runner.withPropertyValues("tollgate.policy=classpath:tollgate-bad.yaml").run(ctx -> {
      assertThat(ctx).hasFailed();
      Throwable root = ctx.getStartupFailure();
      while (root.getCause() != null && !(root instanceof PolicyException)) {
        root = root.getCause();
      }
      assertThat(root).isInstanceOf(PolicyException.class);
      FailureAnalysis analysis = new TollgateFailureAnalyzer().analyze(ctx.getStartupFailure());
      assertThat(analysis.getDescription()).contains(
          "test-classes/tollgate-bad.yaml:2:33: window: bad duration '1x': unknown unit 'x' (use ms, s, m, h or d)");
    });
  }
}
