// Codec micro-benchmark: encode and decode throughput measured separately, no
// kernel involved. Decoding walks one buffer of many messages laid out as the
// kernel sends them (a route dump: rtmsg + RTA_TABLE/DST/GATEWAY/OIF/PRIORITY;
// a link dump with IFLA_STATS64), exactly as Connection hands them over.
import { performance } from 'node:perf_hooks';
import * as C from '../lib/netlink/constants';
import { forEachMessage } from '../lib/netlink/message';
import { decodeRoute, encodeRoute, RouteMessage } from '../lib/rtnl/route';
import { decodeLink, encodeLink, LinkMessage } from '../lib/rtnl/link';
import { RouteSpec, RouteTable, toRoute } from '../lib/model/route';
import type { Namespace } from '../lib/namespace';

function rate(n: number, fn: () => void, minMs = 300): number {
  fn(); // warm up
  let runs = 0;
  const t0 = performance.now();
  do { fn(); runs++; } while (performance.now() - t0 < minMs);
  return (n * runs) / ((performance.now() - t0) / 1000);
}

function route(i: number): RouteMessage {
  return {
    family: C.AF_INET, dstLength: 32, srcLength: 0, tos: 0, table: C.RT_TABLE_MAIN, protocol: C.RTPROT_BOOT,
    scope: C.RT_SCOPE_UNIVERSE, type: C.RTN_UNICAST, flags: 0,
    dst: `10.${1 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`, gateway: '10.0.0.2', oif: 2, priority: 0,
  };
}

function link(i: number): LinkMessage {
  return {
    family: 0, type: 1, index: i + 1, flags: 0x1003, change: 0, name: `veth${i}`, mtu: 1500, minMtu: 68, maxMtu: 65535,
    mac: '02:00:00:00:12:34', broadcast: 'ff:ff:ff:ff:ff:ff', master: 3, link: i + 2, operstate: 6, linkmode: 0,
    txqlen: 1000, group: 0, qdisc: 'noqueue', carrier: 1, carrierChanges: 2, promiscuity: 1, numTxQueues: 1,
    numRxQueues: 1, protoDown: 0, linkInfo: { kind: 'veth' },
    stats64: { rxPackets: 10, txPackets: 20, rxBytes: 1000, txBytes: 2000 },
  };
}

async function rateAsync(n: number, fn: () => Promise<void>, minMs = 300): Promise<number> {
  await fn(); // warm up
  let runs = 0;
  const t0 = performance.now();
  do { await fn(); runs++; } while (performance.now() - t0 < minMs);
  return (n * runs) / ((performance.now() - t0) / 1000);
}

export interface CodecResult { name: string; perSecond: number }

export async function codecBench(): Promise<CodecResult[]> {
  const N = 10_000;
  const routes = Array.from({ length: N }, (_, i) => route(i));
  const links = Array.from({ length: 1000 }, (_, i) => link(i));
  const routeDump = Buffer.concat(routes.map((r) => encodeRoute(C.RTM_NEWROUTE, C.NLM_F_MULTI, r)));
  const linkDump = Buffer.concat(links.map((l) => encodeLink(C.RTM_NEWLINK, C.NLM_F_MULTI, l)));
  // What routes.addMany does before sending: validate each spec, encode all into one buffer.
  const specs: RouteSpec[] = routes.map((r) => ({ to: r.dst as string, via: '10.0.0.2', dev: 2 }));
  const bulk = new RouteTable({ linkIndex: async (ref: number) => ref } as unknown as Namespace) as unknown as {
    encodeMany(type: number, flags: number, s: RouteSpec[]): Promise<{ buf: Buffer }>;
  };
  let sink = 0;
  const bulkEncoded: Buffer[] = [];
  const out: CodecResult[] = [
    { name: 'encode route add (RTM_NEWROUTE)', perSecond: rate(N, () => { for (const r of routes) sink += encodeRoute(C.RTM_NEWROUTE, C.NLM_F_REQUEST | C.NLM_F_CREATE, r).length; }) },
    { name: 'validate + encode route specs, bulk (routes.addMany, one buffer)', perSecond: await rateAsync(N, async () => { bulkEncoded[0] = (await bulk.encodeMany(C.RTM_NEWROUTE, C.NLM_F_CREATE | C.NLM_F_EXCL, specs)).buf; }) },
    { name: 'decode route (rtmsg → RouteMessage)', perSecond: rate(N, () => forEachMessage(routeDump, (m) => { sink += decodeRoute(m).dstLength; })) },
    { name: 'decode route → typed Route', perSecond: rate(N, () => forEachMessage(routeDump, (m) => { sink += toRoute(decodeRoute(m)).flags; })) },
    { name: 'encode link set (RTM_NEWLINK)', perSecond: rate(1000, () => { for (const l of links) sink += encodeLink(C.RTM_NEWLINK, C.NLM_F_REQUEST, { index: l.index, master: 3, flags: 1, change: 1 }).length; }) },
    { name: 'decode link with stats (ifinfomsg → LinkMessage)', perSecond: rate(1000, () => forEachMessage(linkDump, (m) => { sink += decodeLink(m).mtu ?? 0; })) },
  ];
  if (sink === -1) console.log(sink);
  return out;
}
