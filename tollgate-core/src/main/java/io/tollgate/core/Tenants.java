package io.tollgate.core;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Who owns which API keys: all API keys of one tenant share the tenant's budgets (key part
 * {@code tenant}), and a tenant may have its own numbers for some limits. Immutable and thread-safe.
 */
public final class Tenants {

  private final KeyPart apiKey;
  private final Map<String, List<String>> keysByTenant;
  private final Map<String, String> tenantByKey;
  private final Map<String, Map<String, LimitOverride>> overrides;

  private Tenants(KeyPart apiKey, Map<String, List<String>> keysByTenant, Map<String, Map<String, LimitOverride>> overrides) {
    this.apiKey = apiKey;
    this.keysByTenant = keysByTenant;
    this.overrides = overrides;
    Map<String, String> byKey = new HashMap<>();
    keysByTenant.forEach((tenant, keys) -> {
      for (String k : keys) {
        String other = byKey.put(k, tenant);
        if (other != null && !other.equals(tenant)) {
          throw new IllegalArgumentException("API key '" + k + "' belongs to both '" + other + "' and '" + tenant + "'");
        }
      }
    });
    this.tenantByKey = Map.copyOf(byKey);
  }

  /** Tenants whose API key is read from {@code apiKey} ({@code header:X-Api-Key} or {@code query:key}). */
  public static Builder builder(String apiKey) {
    KeyPart part = KeyPart.parse(apiKey);
    if (part.kind() != KeyPart.Kind.HEADER && part.kind() != KeyPart.Kind.QUERY) {
      throw new IllegalArgumentException("the API key is read from header:NAME or query:NAME (was '" + apiKey + "')");
    }
    return new Builder(part);
  }

  /** Where a request's API key is read. */
  public KeyPart apiKey() {
    return apiKey;
  }

  /** Tenant name to its API keys, in file order. */
  public Map<String, List<String>> keysByTenant() {
    return keysByTenant;
  }

  /** The tenant owning {@code apiKey}, or {@code null}. */
  public String tenantOf(String apiKey) {
    return apiKey == null ? null : tenantByKey.get(apiKey);
  }

  /** Tenant name to (limit name to override). */
  public Map<String, Map<String, LimitOverride>> overrides() {
    return overrides;
  }

  /** Builds {@link Tenants}. Not thread-safe. */
  public static final class Builder {
    private final KeyPart apiKey;
    private final Map<String, List<String>> keys = new LinkedHashMap<>();
    private final Map<String, Map<String, LimitOverride>> overrides = new LinkedHashMap<>();

    private Builder(KeyPart apiKey) {
      this.apiKey = apiKey;
    }

    public Builder tenant(String name, List<String> apiKeys) {
      Objects.requireNonNull(name, "name");
      keys.put(name, List.copyOf(apiKeys));
      return this;
    }

    public Builder tenant(String name, String... apiKeys) {
      return tenant(name, List.of(apiKeys));
    }

    /** Tenant {@code tenant} gets its own numbers for the limit named {@code limit}. */
    public Builder override(String tenant, String limit, LimitOverride override) {
      overrides.computeIfAbsent(tenant, t -> new LinkedHashMap<>()).put(limit, Objects.requireNonNull(override));
      return this;
    }

    /** @throws IllegalArgumentException if an API key belongs to two tenants */
    public Tenants build() {
      Map<String, Map<String, LimitOverride>> o = new LinkedHashMap<>();
      overrides.forEach((t, m) -> o.put(t, Map.copyOf(m)));
      return new Tenants(apiKey, java.util.Collections.unmodifiableMap(new LinkedHashMap<>(keys)),
          java.util.Collections.unmodifiableMap(o));
    }
  }
}
