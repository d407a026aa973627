// One codec per link kind's IFLA_INFO_DATA, and the dispatch by kind name.
export * from './bridge';
export * from './bridge-port';
export * from './vxlan';
export * from './vlan';
export * from './macvlan';
export * from './tun';
