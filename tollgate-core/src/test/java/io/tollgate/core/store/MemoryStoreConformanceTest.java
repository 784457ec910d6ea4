package io.tollgate.core.store;

/** The memory store against the conformance suite. */
class MemoryStoreConformanceTest extends CounterStoreConformance {

  @Override
  protected CounterStore newStore() {
    return MemoryStore.create(10_000);
  }
}
