#!/usr/bin/python3
# The pyroute2 side of the benchmark (Debian's python3-pyroute2, run with
# /usr/bin/python3). Each command does one workload step and prints its wall
# time in seconds as JSON: {"seconds": …, "count": …}. Interpreter start-up and
# imports are not timed. Only ever run inside the benchmark's sandbox.
import json
import sys
import time

from pyroute2 import IPBatch, IPRoute, netns


def out(seconds, count=None):
    print(json.dumps({"seconds": seconds, "count": count}))


def w1_setup(n, gw):
    ipr = IPRoute()
    br = ipr.link_lookup(ifname="br0")[0]
    t0 = time.perf_counter()
    for i in range(n):
        name = "pod%d" % i
        netns.create(name)
        ipr.link("add", ifname="veth%d" % i, kind="veth", peer={"ifname": "eth0", "net_ns_fd": name})
        # setns into the pod for its part (pyroute2's cheapest way; NetNS forks a helper per namespace)
        netns.pushns(name)
        try:
            with IPRoute() as p:
                eth0 = p.link_lookup(ifname="eth0")[0]
                p.addr("add", index=eth0, address="10.0.%d.2" % (i % 250), prefixlen=16)
                p.link("set", index=1, state="up")
                p.link("set", index=eth0, state="up")
                p.route("add", dst="0.0.0.0/0", gateway=gw)
        finally:
            netns.popns()
        host = ipr.link_lookup(ifname="veth%d" % i)[0]
        ipr.link("set", index=host, master=br, state="up")
    out(time.perf_counter() - t0, n)


def w1_teardown(n):
    ipr = IPRoute()
    t0 = time.perf_counter()
    for i in range(n):
        ipr.link("del", index=ipr.link_lookup(ifname="veth%d" % i)[0])
        netns.remove("pod%d" % i)
    out(time.perf_counter() - t0, n)


def dsts(n):
    return ["10.%d.%d.%d" % (1 + (i >> 16), (i >> 8) & 255, i & 255) for i in range(n)]


def routes_batch(ns, cmd, n):
    netns.pushns(ns)
    try:
        ipr = IPRoute()
        sender = IPRoute()
        t0 = time.perf_counter()
        ipb = IPBatch()
        k = 0
        for d in dsts(n):
            ipb.route(cmd, dst=d + "/32", gateway="10.0.0.2")
            k += 1
            if k == 500:  # keep each sendmsg within the socket's send buffer
                sender.sendto(ipb.batch, (0, 0))
                ipb.reset()
                k = 0
        if k:
            sender.sendto(ipb.batch, (0, 0))
        # The kernel applied every message inside sendto; a GETROUTE round
        # trip on another socket makes sure nothing is still queued.
        ipr.get_routes(dst="10.0.0.1", table=254)
        out(time.perf_counter() - t0, n)
    finally:
        netns.popns()


def routes_dump(ns, times):
    netns.pushns(ns)
    try:
        ipr = IPRoute()
        t0 = time.perf_counter()
        for _ in range(times):
            count = 0
            for r in ipr.get_routes(family=2, table=254):
                dst = r.get_attr("RTA_DST")
                gw = r.get_attr("RTA_GATEWAY")
                oif = r.get_attr("RTA_OIF")
                if dst is not None and gw is not None and oif is not None:
                    count += 1
        out((time.perf_counter() - t0) / times, count)
    finally:
        netns.popns()


def links_dump(ns, times):
    netns.pushns(ns)
    try:
        ipr = IPRoute()
        t0 = time.perf_counter()
        count = 0
        for _ in range(times):
            for l in ipr.get_links():
                l.get_attr("IFLA_IFNAME"), l["index"], l.get_attr("IFLA_MTU"), l.get_attr("IFLA_ADDRESS")
                l["flags"], l.get_attr("IFLA_MASTER"), l.get_attr("IFLA_STATS64")
                count += 1
        out(time.perf_counter() - t0, count)
    finally:
        netns.popns()


def main():
    cmd = sys.argv[1]
    a = sys.argv[2:]
    if cmd == "w1-setup":
        w1_setup(int(a[0]), a[1])
    elif cmd == "w1-teardown":
        w1_teardown(int(a[0]))
    elif cmd == "w2-add":
        routes_batch(a[0], "add", int(a[1]))
    elif cmd == "w2-delete":
        routes_batch(a[0], "del", int(a[1]))
    elif cmd == "w2-dump":
        routes_dump(a[0], int(a[1]))
    elif cmd == "w3":
        links_dump(a[0], int(a[1]))
    else:
        raise SystemExit("unknown command " + cmd)


main()
