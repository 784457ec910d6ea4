/** Envoy's Rate Limit Service as a front door of Tollgate. */
package io.tollgate.envoy;
