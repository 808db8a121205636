import type { BgpTimers } from './types.js';

/**
 * The timers calico-node's BIRD runs with (confd's `bird.cfg` `bgp_template`, Calico v3.31):
 * `connect delay time 2; connect retry time 5; error wait time 5,30;` and `graceful restart`
 * (restart time 120 s, BIRD's `gr_time` default); hold time 240 s is BIRD's default and the
 * keepalive is a third of it (RFC 4271 §10 suggests hold/3); the kernel and device protocols
 * `scan time 2`.
 *
 * BIRD starts the connect-retry, hold and keepalive timers through `bgp_start_timer`, which
 * shortens each run by a random 0..25 % (RFC 4271 §10 jitter). podnet is deterministic and uses
 * the configured value with no jitter (the upper bound); `error wait time` is not random in BIRD
 * (`bgp_update_startup_delay`: the minimum first, doubled on each error within the 300 s
 * `error forget time`, capped at the maximum), and podnet does the same.
 */
export const CALICO_BIRD_TIMERS: BgpTimers = {
  connectDelay: 2,
  connectRetry: 5,
  holdTime: 240,
  keepalive: 80,
  gracefulRestart: 120,
  errorWait: [5, 30],
  scanTime: 2,
};

/** BIRD's `error forget time` default: an error older than this resets the error wait. */
export const BIRD_ERROR_FORGET_TIME = 300;

/** One-way latency of a BGP message or TCP segment between nodes on a LAN (seconds): ~1 ms. */
export const LAN_MESSAGE_LATENCY = 0.001;

/** BGP port (RFC 4271 §8.2.1: TCP 179). */
export const BGP_PORT = 179;
