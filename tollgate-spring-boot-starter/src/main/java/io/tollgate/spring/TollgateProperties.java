package io.tollgate.spring;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code tollgate.*} properties.
 *
 * <pre>
 * tollgate.policy=classpath:tollgate.yaml   # required to turn Tollgate on; file:/etc/app/tollgate.yaml too
 * tollgate.enabled=true
 * tollgate.store=                           # overrides the file's store: memory | redis://… | rediss://…
 * tollgate.filter-order=-101                # just before Spring Security's filter chain (-100)
 * tollgate.reload=watch                     # a file: policy reloaded when it changes; manual: on request only
 * </pre>
 */
@ConfigurationProperties("tollgate")
public class TollgateProperties {

  /** The policy file: {@code classpath:tollgate.yaml} or {@code file:/etc/app/tollgate.yaml}. */
  private String policy;

  /** Whether the filter is registered and the beans made. */
  private boolean enabled = true;

  /** Overrides the file's {@code store}: {@code memory}, or a {@code redis://} / {@code rediss://} URI. */
  private String store;

  /**
   * The filter's order: just before Spring Security's chain (-100) by default. Not -100 itself: of two
   * filters of one order, which runs first depends on where each was declared (a WebFlux application's
   * own {@code @EnableWebFluxSecurity} came first).
   */
  private int filterOrder = -101;

  /** {@code watch}: a {@code file:} policy is reloaded when it changes; {@code manual}: only when asked. */
  private Reload reload = Reload.WATCH;

  /** {@code tollgate.reload}. */
  public enum Reload {
    WATCH,
    MANUAL
  }

  public Reload getReload() {
    return reload;
  }

  public void setReload(Reload reload) {
    this.reload = reload;
  }

  public String getPolicy() {
    return policy;
  }

  public void setPolicy(String policy) {
    this.policy = policy;
  }

  public boolean isEnabled() {
    return enabled;
  }

  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  public String getStore() {
    return store;
  }

  public void setStore(String store) {
    this.store = store;
  }

  public int getFilterOrder() {
    return filterOrder;
  }

  public void setFilterOrder(int filterOrder) {
    this.filterOrder = filterOrder;
  }
}
