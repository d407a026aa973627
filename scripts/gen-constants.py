#!/usr/bin/env python3
"""Generates lib/netlink/constants.ts from the installed kernel UAPI headers.

Each name below is printed by a tiny C program compiled against <linux/...>, so
the values are the kernel's own, never typed by hand. Run: python3 scripts/gen-constants.py
"""
import os, subprocess, sys, tempfile

GROUPS = {
    'linux/netlink.h': ['NETLINK_ROUTE', 'NETLINK_NETFILTER', 'NETLINK_SOCK_DIAG',
        'NLM_F_REQUEST', 'NLM_F_MULTI', 'NLM_F_ACK', 'NLM_F_ECHO', 'NLM_F_DUMP_INTR',
        'NLM_F_DUMP_FILTERED', 'NLM_F_ROOT', 'NLM_F_MATCH', 'NLM_F_ATOMIC', 'NLM_F_DUMP',
        'NLM_F_REPLACE', 'NLM_F_EXCL', 'NLM_F_CREATE', 'NLM_F_APPEND', 'NLM_F_NONREC',
        'NLM_F_BULK', 'NLM_F_CAPPED', 'NLM_F_ACK_TLVS',
        'NLMSG_NOOP', 'NLMSG_ERROR', 'NLMSG_DONE', 'NLMSG_OVERRUN', 'NLMSG_MIN_TYPE',
        'NLMSGERR_ATTR_MSG', 'NLMSGERR_ATTR_OFFS', 'NLMSGERR_ATTR_COOKIE',
        'NLMSGERR_ATTR_POLICY', 'NLMSGERR_ATTR_MISS_TYPE', 'NLMSGERR_ATTR_MISS_NEST',
        'NLA_F_NESTED', 'NLA_F_NET_BYTEORDER', 'NLA_TYPE_MASK',
        'NETLINK_ADD_MEMBERSHIP', 'NETLINK_DROP_MEMBERSHIP', 'NETLINK_LISTEN_ALL_NSID',
        'NETLINK_EXT_ACK', 'NETLINK_GET_STRICT_CHK', 'NETLINK_CAP_ACK', 'SOL_NETLINK'],
    'linux/rtnetlink.h': ['RTM_NEWLINK', 'RTM_DELLINK', 'RTM_GETLINK', 'RTM_SETLINK',
        'RTM_NEWADDR', 'RTM_DELADDR', 'RTM_GETADDR', 'RTM_NEWROUTE', 'RTM_DELROUTE',
        'RTM_GETROUTE', 'RTM_NEWNEIGH', 'RTM_DELNEIGH', 'RTM_GETNEIGH', 'RTM_NEWRULE',
        'RTM_DELRULE', 'RTM_GETRULE', 'RTM_NEWNSID', 'RTM_DELNSID', 'RTM_GETNSID',
        'RTM_NEWNEXTHOP', 'RTM_DELNEXTHOP', 'RTM_GETNEXTHOP', 'RTM_NEWLINKPROP', 'RTM_DELLINKPROP',
        'RTN_UNSPEC', 'RTN_UNICAST', 'RTN_LOCAL', 'RTN_BROADCAST', 'RTN_ANYCAST',
        'RTN_MULTICAST', 'RTN_BLACKHOLE', 'RTN_UNREACHABLE', 'RTN_PROHIBIT', 'RTN_THROW',
        'RTN_NAT', 'RTN_XRESOLVE',
        'RTPROT_UNSPEC', 'RTPROT_REDIRECT', 'RTPROT_KERNEL', 'RTPROT_BOOT', 'RTPROT_STATIC',
        'RTPROT_RA', 'RTPROT_DHCP',
        'RT_SCOPE_UNIVERSE', 'RT_SCOPE_SITE', 'RT_SCOPE_LINK', 'RT_SCOPE_HOST', 'RT_SCOPE_NOWHERE',
        'RT_TABLE_UNSPEC', 'RT_TABLE_DEFAULT', 'RT_TABLE_MAIN', 'RT_TABLE_LOCAL',
        'RTA_DST', 'RTA_SRC', 'RTA_IIF', 'RTA_OIF', 'RTA_GATEWAY', 'RTA_PRIORITY',
        'RTA_PREFSRC', 'RTA_METRICS', 'RTA_MULTIPATH', 'RTA_FLOW', 'RTA_CACHEINFO',
        'RTA_TABLE', 'RTA_MARK', 'RTA_VIA', 'RTA_PREF', 'RTA_EXPIRES', 'RTA_UID',
        'RTA_IP_PROTO', 'RTA_SPORT', 'RTA_DPORT', 'RTA_NH_ID',
        'RTM_F_NOTIFY', 'RTM_F_CLONED', 'RTM_F_LOOKUP_TABLE', 'RTM_F_FIB_MATCH',
        'RTNH_F_DEAD', 'RTNH_F_PERVASIVE', 'RTNH_F_ONLINK', 'RTNH_F_LINKDOWN',
        'RTMGRP_LINK', 'RTNLGRP_LINK', 'RTNLGRP_IPV4_IFADDR', 'RTNLGRP_IPV6_IFADDR',
        'RTNLGRP_IPV4_ROUTE', 'RTNLGRP_IPV6_ROUTE', 'RTNLGRP_NEIGH', 'RTNLGRP_IPV4_RULE',
        'RTNLGRP_IPV6_RULE', 'RTNLGRP_NSID', 'RTNLGRP_NEXTHOP',
        'RTEXT_FILTER_VF', 'RTEXT_FILTER_SKIP_STATS'],
    'linux/if_link.h': ['IFLA_ADDRESS', 'IFLA_BROADCAST', 'IFLA_IFNAME', 'IFLA_MTU',
        'IFLA_LINK', 'IFLA_QDISC', 'IFLA_STATS', 'IFLA_MASTER', 'IFLA_TXQLEN',
        'IFLA_OPERSTATE', 'IFLA_LINKMODE', 'IFLA_LINKINFO', 'IFLA_NET_NS_PID', 'IFLA_IFALIAS',
        'IFLA_STATS64', 'IFLA_AF_SPEC', 'IFLA_GROUP', 'IFLA_NET_NS_FD', 'IFLA_EXT_MASK',
        'IFLA_PROMISCUITY', 'IFLA_NUM_TX_QUEUES', 'IFLA_NUM_RX_QUEUES', 'IFLA_CARRIER',
        'IFLA_CARRIER_CHANGES', 'IFLA_LINK_NETNSID', 'IFLA_PROTO_DOWN', 'IFLA_NEW_NETNSID',
        'IFLA_MIN_MTU', 'IFLA_MAX_MTU', 'IFLA_PROP_LIST', 'IFLA_ALT_IFNAME', 'IFLA_PERM_ADDRESS',
        'IFLA_INFO_KIND', 'IFLA_INFO_DATA', 'IFLA_INFO_XSTATS', 'IFLA_INFO_SLAVE_KIND',
        'IFLA_INFO_SLAVE_DATA'],
    'linux/if_addr.h': ['IFA_ADDRESS', 'IFA_LOCAL', 'IFA_LABEL', 'IFA_BROADCAST',
        'IFA_ANYCAST', 'IFA_CACHEINFO', 'IFA_MULTICAST', 'IFA_FLAGS', 'IFA_RT_PRIORITY',
        'IFA_PROTO', 'IFA_F_SECONDARY', 'IFA_F_NODAD', 'IFA_F_OPTIMISTIC', 'IFA_F_DADFAILED',
        'IFA_F_HOMEADDRESS', 'IFA_F_DEPRECATED', 'IFA_F_TENTATIVE', 'IFA_F_PERMANENT',
        'IFA_F_MANAGETEMPADDR', 'IFA_F_NOPREFIXROUTE', 'IFA_F_MCAUTOJOIN', 'IFA_F_STABLE_PRIVACY'],
    'linux/veth.h': ['VETH_INFO_PEER'],
    'linux/net_namespace.h': ['NETNSA_NSID', 'NETNSA_PID', 'NETNSA_FD', 'NETNSA_TARGET_NSID',
        'NETNSA_CURRENT_NSID', 'NETNSA_NSID_NOT_ASSIGNED'],
    'linux/if.h': ['IFF_UP', 'IFF_BROADCAST', 'IFF_DEBUG', 'IFF_LOOPBACK', 'IFF_POINTOPOINT',
        'IFF_NOTRAILERS', 'IFF_RUNNING', 'IFF_NOARP', 'IFF_PROMISC', 'IFF_ALLMULTI',
        'IFF_MASTER', 'IFF_SLAVE', 'IFF_MULTICAST', 'IFF_PORTSEL', 'IFF_AUTOMEDIA',
        'IFF_DYNAMIC', 'IFF_LOWER_UP', 'IFF_DORMANT', 'IFF_ECHO', 'IF_NAMESIZE'],
    'sys/socket.h': ['AF_UNSPEC', 'AF_INET', 'AF_INET6', 'AF_BRIDGE', 'AF_NETLINK', 'AF_PACKET',
        'SOCK_STREAM', 'SOCK_DGRAM', 'SOCK_RAW', 'SOCK_NONBLOCK', 'SOCK_CLOEXEC', 'SOL_SOCKET'],
    'linux/if_arp.h': ['ARPHRD_ETHER', 'ARPHRD_LOOPBACK', 'ARPHRD_NONE', 'ARPHRD_VOID'],
}

def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    headers = ['sys/socket.h', 'net/if.h'] + [h for h in GROUPS if h not in ('sys/socket.h',)]
    src = ['#include <stdio.h>'] + [f'#include <{h}>' for h in headers if h != 'linux/if.h']
    src.append('int main(void) {')
    for header, names in GROUPS.items():
        src.append(f'  printf("\\n// <{header}>\\n");')
        for n in names:
            src.append(f'  printf("export const {n} = %lld;\\n", (long long)({n}));')
    src.append('  return 0; }')
    with tempfile.TemporaryDirectory() as d:
        c, exe = os.path.join(d, 'c.c'), os.path.join(d, 'c')
        open(c, 'w').write('\n'.join(src))
        subprocess.run(['cc', '-o', exe, c], check=True)
        body = subprocess.run([exe], check=True, capture_output=True, text=True).stdout
    # NLA_TYPE_MASK is ~(flags) in C: keep it a 16-bit mask.
    body = body.replace('export const NLA_TYPE_MASK = -49153;', 'export const NLA_TYPE_MASK = 0x3fff;')
    out = ('// Kernel UAPI constants, generated by scripts/gen-constants.py from the headers\n'
           '// named above each group. Do not edit by hand.\n' + body)
    open(os.path.join(root, 'lib/netlink/constants.ts'), 'w').write(out)

main()
