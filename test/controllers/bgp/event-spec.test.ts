import { describe, expect, it } from 'vitest';
import { parseEventSpec } from '../../../src/controllers/bgp/event-spec.js';
import { cidr } from './helpers.js';

const NODES = ['node1', 'node2', 'node3'];

describe('parseEventSpec (--events)', () => {
  it('reads NODE:ACTION[=CIDR]@SECONDS items separated by commas', () => {
    expect(parseEventSpec('node3:kill@30, node2:stop@60,node1:link-lost@90.5,node3:join@100,node1:announce=10.244.9.0/26@5,node1:withdraw=10.244.9.0/26@7s', NODES)).toEqual({
      ok: true,
      value: [
        { kind: 'kill', node: 'node3', at: 30 },
        { kind: 'stop', node: 'node2', at: 60 },
        { kind: 'link-lost', node: 'node1', at: 90.5 },
        { kind: 'join', node: 'node3', at: 100 },
        { kind: 'announce', node: 'node1', prefix: cidr('10.244.9.0/26'), at: 5 },
        { kind: 'withdraw', node: 'node1', prefix: cidr('10.244.9.0/26'), at: 7 },
      ],
    });
  });

  it.each([
    ['node3:kill', /--events item "node3:kill": expected NODE:ACTION\[=CIDR\]@SECONDS/],
    ['node9:kill@3', /unknown node "node9"; the nodes are node1, node2, node3/],
    ['node1:explode@3', /unknown action "explode"; expected one of join, stop, kill, link-lost, announce, withdraw/],
    ['node1:announce@3', /announce needs a prefix, like node1:announce=10\.244\.9\.0\/26@3/],
    ['node1:announce=10.244.9.1/26@3', /has host bits set/],
    ['node1:kill=10.0.0.0/8@3', /kill takes no "=10\.0\.0\.0\/8"/],
    ['node1:kill@-3', /expected NODE:ACTION/],
    ['node1:kill@3,,node2:stop@4', /empty item/],
  ])('%s is refused with a clear message', (spec, msg) => {
    const r = parseEventSpec(spec, NODES);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(msg);
  });
});
