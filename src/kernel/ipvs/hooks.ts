/**
 * Where IPVS sits in netfilter (ip_vs_core.c ip_vs_ops4[]), with the iptables tables around it
 * (include/uapi/linux/netfilter_ipv4.h NF_IP_PRI_*). The walk runs a hook's tables in two parts
 * around these functions.
 */
export const NF_IP_PRI_CONNTRACK = -200;
export const NF_IP_PRI_NAT_DST = -100;
export const NF_IP_PRI_NAT_SRC = 100;
export const NF_IP_PRI_CONNTRACK_CONFIRM = 2147483647;

/** LOCAL_IN: "After packet filtering, change source only for VS/NAT" (replies to a local client). */
export const IPVS_LOCAL_IN_OUT = NF_IP_PRI_NAT_SRC - 2;
/** LOCAL_IN: "After packet filtering, forward packet through VS/DR, VS/TUN, or VS/NAT". */
export const IPVS_LOCAL_IN_IN = NF_IP_PRI_NAT_SRC - 1;
/** LOCAL_OUT: "Before ip_vs_in, change source only for VS/NAT". */
export const IPVS_LOCAL_OUT_OUT = NF_IP_PRI_NAT_DST + 1;
/** LOCAL_OUT: "After mangle, schedule and forward local requests". */
export const IPVS_LOCAL_OUT_IN = NF_IP_PRI_NAT_DST + 2;
/** FORWARD: "After packet filtering, change source only for VS/NAT" (replies routed through). */
export const IPVS_FORWARD_OUT = 100;
