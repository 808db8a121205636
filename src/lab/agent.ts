/**
 * The applications of a lab pod or node, as one small process started inside its netns:
 *
 *   node --import tsx src/lab/agent.ts CONFIG.json
 *
 * It listens on the TCP and UDP ports the model says are open there and answers every connection
 * or datagram with one line, `<model netns id> <peer address>:<peer port>`, so a client learns
 * which endpoint it reached and what source address that endpoint saw. In a CoreDNS pod it also
 * answers DNS on UDP 53 exactly as podnet's modelled CoreDNS does (serveQuery on the topology,
 * dns-packet both ways; what is not DNS it drops, as CoreDNS does), and logs each query (name, type, client, source port, time) as a JSON
 * line, for comparing the real libc's query order with the resolver model.
 *
 * It writes CONFIG.ready once every socket is bound; it runs until killed.
 */
import { createSocket } from 'node:dgram';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { coreDnsConfigFor, serveQuery } from '../controllers/coredns/index.js';
import { decodeDnsMessage, encodeDnsMessage } from '../net/dns.js';
import { loadTopology } from '../topology/load.js';
import type { AgentConfig } from './agent-config.js';

const path = process.argv[2];
if (!path) throw new Error('usage: agent.ts CONFIG.json');
const cfg = JSON.parse(readFileSync(path, 'utf8')) as AgentConfig;

async function dnsServer(): Promise<((msg: Buffer, from: { address: string; port: number }) => Buffer | null) | null> {
  const dns = cfg.dns;
  if (!dns) return null;
  const loaded = await loadTopology(dns.topology);
  if (!loaded.ok) throw new Error(loaded.error.message);
  const config = coreDnsConfigFor(loaded.value);
  if (!config.ok) throw new Error(config.error);
  return (msg, from) => {
    // What CoreDNS cannot parse it drops, like the model; a header without a question gets FORMERR.
    const q = decodeDnsMessage(new Uint8Array(msg));
    if (!q.ok || q.value.qr) return null;
    const question = q.value.questions[0];
    appendFileSync(dns.log, `${JSON.stringify({ t: Date.now(), server: dns.selfIp, client: from.address, sport: from.port, id: q.value.id, name: question?.name ?? null, type: question?.type ?? null })}\n`);
    const { response } = serveQuery(loaded.value, config.value, q.value, { ip: from.address, selfIp: dns.selfIp });
    return Buffer.from(encodeDnsMessage(response));
  };
}

const answer = (address: string, port: number): string => `${cfg.id} ${address}:${port}\n`;

async function main(): Promise<void> {
  const dns = await dnsServer();
  const bound: Promise<void>[] = [];
  for (const port of cfg.tcp) {
    const server = createServer((s) => s.end(answer(s.remoteAddress ?? '?', s.remotePort ?? 0)));
    bound.push(new Promise((resolve, reject) => server.once('error', reject).listen(port, '0.0.0.0', resolve)));
  }
  const udpPorts = new Set([...cfg.udp, ...(dns ? [53] : [])]);
  for (const port of udpPorts) {
    const sock = createSocket('udp4');
    sock.on('message', (msg, rinfo) => {
      if (port === 53 && dns) {
        const reply = dns(msg, rinfo);
        if (reply) sock.send(reply, rinfo.port, rinfo.address);
        return;
      }
      sock.send(Buffer.from(answer(rinfo.address, rinfo.port)), rinfo.port, rinfo.address);
    });
    bound.push(new Promise((resolve, reject) => sock.once('error', reject).bind(port, '0.0.0.0', resolve)));
  }
  await Promise.all(bound);
  writeFileSync(`${path}.ready`, 'ok\n');
}

main().catch((e: unknown) => {
  writeFileSync(`${path}.failed`, `${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
