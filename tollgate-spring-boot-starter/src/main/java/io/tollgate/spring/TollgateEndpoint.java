package io.tollgate.spring;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;

/**
 * {@code /actuator/tollgate}: GET the policy in effect (where it was read, its sha256, when, its
 * routes and limits, the store); POST reloads it (all or nothing, as the server's
 * {@code POST /admin/reload}).
 */
@Endpoint(id = "tollgate")
public class TollgateEndpoint {

  private final TollgatePolicy policy;

  public TollgateEndpoint(TollgatePolicy policy) {
    this.policy = policy;
  }

  @ReadOperation
  public Map<String, Object> policy() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("source", policy.file().source());
    out.put("sha256", policy.file().sha256());
    out.put("loadedAt", policy.loadedAt().toString());
    out.put("reloadable", policy.reloadable());
    out.put("store", policy.storeSettings().describe());
    out.put("routes", policy.file().policy().routes().stream().map(r -> r.name()).toList());
    out.put("limits", policy.file().policy().limits().stream().map(l -> l.toString()).toList());
    return out;
  }

  @WriteOperation
  public TollgatePolicy.Reload reload() {
    return policy.reload();
  }
}
