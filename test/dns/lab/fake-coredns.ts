/**
 * The modelled CoreDNS on a real UDP socket, for the libc fidelity test: run inside a network
 * namespace where 10.96.0.10 is a local address, it answers every query with podnet's own
 * `serveQuery` on the fixture cluster (dns-packet both ways) and logs what the real libc sent.
 *
 *   node --import tsx test/dns/lab/fake-coredns.ts DIR
 *
 * DIR/log gets one JSON line per datagram ({name, type, sport, id, t}); DIR/control.json, read
 * on every query, can ask to drop the first reply to each AAAA name of a case
 * ({"dropFirstAaaa": true, "case": "g24"}).
 * DIR/ready appears once the socket is bound.
 */
import { createSocket } from 'node:dgram';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { serveQuery } from '../../../src/controllers/coredns/index.js';
import { decodeDnsMessage, encodeDnsMessage } from '../../../src/net/dns.js';
import { fixture, fixtureConfig } from '../helpers.js';

const dir = process.argv[2];
if (!dir) throw new Error('usage: fake-coredns.ts DIR');
const log = join(dir, 'log');
const cluster = fixture();
const config = fixtureConfig();
const seenAaaa = new Set<string>();
const sock = createSocket('udp4');

sock.on('message', (buf, rinfo) => {
  const q = decodeDnsMessage(new Uint8Array(buf));
  if (!q.ok) return;
  const question = q.value.questions[0];
  if (!question) return;
  appendFileSync(log, `${JSON.stringify({ name: question.name, type: question.type, sport: rinfo.port, id: q.value.id, t: Date.now() })}\n`);
  const control = existsSync(join(dir, 'control.json')) ? (JSON.parse(readFileSync(join(dir, 'control.json'), 'utf8')) as { dropFirstAaaa?: boolean; case?: string }) : {};
  if (control.dropFirstAaaa && question.type === 'AAAA') {
    const key = `${control.case ?? ''}|${question.name.toLowerCase()}`;
    if (!seenAaaa.has(key)) {
      seenAaaa.add(key);
      return;
    }
  }
  const { response } = serveQuery(cluster, config, q.value, { ip: '10.244.1.5' });
  sock.send(encodeDnsMessage(response), rinfo.port, rinfo.address);
});

sock.bind(53, '10.96.0.10', () => {
  writeFileSync(join(dir, 'ready'), 'ok\n');
});
