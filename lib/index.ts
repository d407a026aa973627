// Public exports only.
export { Namespace, NamespaceOptions, defaultRunDir } from './namespace';
export { Connection, ConnectionOptions, CallOptions, DumpInterruptedError } from './connection';
export { Link, LinkTable, LinkRef, LinkSettings, VethOptions, VethPeerOptions, BridgeOptions } from './model/link';
export { Address, AddressSpec, AddressOptions, AddressFilter, AddressTable, LinkAddresses } from './model/address';
export { LinkSpec, LinkKindName, CommonLinkOptions, VxlanOptions, VlanOptions, MacvlanOptions, TunOptions } from './model/link-kinds';
export {
  BridgeData, BridgePortData, BridgePortState, VxlanData, VlanData, MacvlanData, MacvlanMode, TunData, VlanProtocol,
} from './rtnl/link-kinds';
export type { Lifetime } from './model/address';
export { Route, RouteSpec, RouteFilter, RouteLookup, RouteTable, RouteMetrics, RouteNexthop, RouteNexthopSpec, toRoute } from './model/route';
export type { RouteBulkOptions, RouteBulkResult } from './model/route';
export { Rule, RuleSpec, RuleFilter, RuleTable, toRule } from './model/rule';
export { Neighbor, NeighborSpec, NeighborFilter, NeighborTable, FdbEntry, FdbSpec, FdbFilter, FdbTable, toNeighbor, toFdbEntry } from './model/neighbor';
export { Nexthop, NexthopSpec, NexthopFilter, NexthopTable, NexthopBucket, NexthopGroupMember, ResilientOptions, toNexthop, toNexthopBucket } from './model/nexthop';
export { NsidTable, NsidEntry } from './model/nsid';
export { reloadNames, iproute2Dir } from './names';
export { NetlinkError, NotFoundError, AbortError } from './errors';
export { missingCapability } from './errors';
export type { Capability, NetlinkErrorDetails } from './errors';
export { ListenOptions, ConnectOptions, UdpOptions } from './sockets';
export type { Family } from './inet';
export { NamespaceSpawnOptions, NamespaceExecFileOptions, ExecFileCallback, ExecFileError } from './process';
export { Sysctl, SysctlValue } from './sysctl';
export { Nat, NatEntry, NatHandle, MasqueradeOptions, PublishOptions, NAT_TABLE } from './nat';
export { Firewall, FirewallEntry, FirewallHandle, AllowForwardOptions } from './firewall';
export { Nftables, NftCommitResult, NftOperation, RuleItem, ChainHookSpec, NftFamily, NftHook, CtState, NftTableInfo, NftChainInfo, NftRuleInfo } from './nft';
export { NamespaceInfo } from './discovery';
export { SocketFilter } from './sockdiag';
export { SocketInfo, SocketEndpoint, SocketProtocol } from './diag/inet';
export { BatchBuilder, BatchOperation, BatchOptions, BatchResult, BatchError, BatchTable } from './batch';
export type { BatchTables, BatchTableName, BatchVerbOf } from './batch';
export { deleteLinks } from './model/teardown';
export { watch, Watcher, WatchKind, WatchOptions, WatchEvent, ChangeEvent, OverrunEvent, SyncedEvent, EventStream, objectKey } from './watch';
export { watchAll, AllNamespacesWatcher, WatchAllOptions, AllNamespacesEvent, AllNamespacesChangeEvent } from './watch';
export { watchNamespaces, NetnsWatcher, NetnsEvent, NetnsWatchOptions } from './netns-watch';
export { createRootless, RootlessNamespace, RootlessOptions } from './rootless';

// Types that public objects refer to (names of kernel numbers, decoded messages, plumbing).
export type {
  ScopeName, RouteTypeName, ProtocolName, TableName, RuleActionName, NeighborStateName, RoutePrefName,
  RouteMetricName, OperState,
} from './names';
export type { LinkMessage, LinkStats, LinkInfoMessage } from './rtnl/link';
export { STATS64_FIELDS } from './rtnl/link';
export { ROUTE_METRICS } from './names';
export type { RouteMessage, ViaMessage, NexthopMessage as RouteNexthopMessage } from './rtnl/route';
export type { RuleMessage, Range } from './rtnl/rule';
export type { NeighborMessage, NeighborCacheInfo } from './rtnl/neighbor';
export type { NexthopMessage, NexthopBucketMessage, NexthopGroupEntry, ResilientGroupMessage } from './rtnl/nexthop';
export type { RawAttribute } from './netlink/attributes';
export type { MessageView } from './netlink/message';
export type { NativeNetlinkSocket } from './native';
export type { Operation, NotificationHandler } from './connection';
export type { GroupFailure, ReplyDecoder } from './connection';
export type { WatchObjects } from './watch';
export type { LinkNeighbours } from './model/link-json';
export type { ListOptions as LinkListOptions } from './model/link';
