package io.tollgate.core;

/** Whether a limit refuses. */
public enum Mode {
  /** Refuses requests over the limit. */
  ENFORCE,
  /** Counts and reports, never refuses: for trying a limit on real traffic first. */
  SHADOW
}
