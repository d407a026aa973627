// Public exports only.
export { Namespace, NamespaceOptions, defaultRunDir } from './namespace';
export { Connection, ConnectionOptions, CallOptions, DumpInterruptedError } from './connection';
export { Link, LinkTable, LinkRef, LinkSettings, VethOptions, VethPeerOptions, BridgeOptions } from './model/link';
export { Address, AddressSpec, AddressOptions, AddressFilter, AddressTable, LinkAddresses } from './model/address';
export { Route, RouteSpec, RouteFilter, RouteLookup, RouteTable } from './model/route';
export { NetlinkError, NotFoundError, AbortError } from './errors';
export { ListenOptions, ConnectOptions, UdpOptions } from './sockets';
export type { Family } from './inet';
export { NamespaceSpawnOptions, NamespaceExecFileOptions, ExecFileCallback, ExecFileError } from './process';
export { Sysctl, SysctlValue } from './sysctl';
export { NamespaceInfo } from './discovery';
export { SocketFilter } from './sockdiag';
export { SocketInfo, SocketEndpoint, SocketProtocol } from './diag/inet';
export { BatchBuilder, BatchOperation, BatchOptions, BatchResult, BatchError, BatchTable } from './batch';
export { deleteLinks } from './model/teardown';
