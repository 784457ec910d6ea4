package io.tollgate.redis;

import io.tollgate.config.StoreSettings;
import io.tollgate.core.store.CounterStore;
import io.tollgate.core.store.MemoryStore;

/**
 * The store factory: the store a policy file's {@code store:} and {@code redis:} settings describe,
 * for the process and for an application embedding the engine (no server needed).
 */
public final class Stores {

  private Stores() {}

  /**
   * Opens the store. A Redis store that cannot be reached yet is returned all the same: it decides
   * by its {@code on-failure} until Redis answers (see {@link RedisStore#connect}).
   */
  public static CounterStore open(StoreSettings settings) {
    if (settings instanceof StoreSettings.Memory) {
      return MemoryStore.create(settings.maxKeys());
    }
    StoreSettings.Redis r = (StoreSettings.Redis) settings;
    return RedisStore.connect(RedisStoreOptions.builder(r.uri())
        .timeout(r.timeout())
        .onFailure(switch (r.onFailure()) {
          case ALLOW -> RedisStoreOptions.OnFailure.ALLOW;
          case DENY -> RedisStoreOptions.OnFailure.DENY;
          case LOCAL -> RedisStoreOptions.OnFailure.LOCAL;
        })
        .clock(switch (r.clock()) {
          case REDIS -> RedisStoreOptions.ClockSource.REDIS;
          case LOCAL -> RedisStoreOptions.ClockSource.LOCAL;
        })
        .leaseTtl(r.leaseTtl())
        .keyPrefix(r.keyPrefix())
        .localMaxKeys(r.maxKeys())
        .build());
  }
}
