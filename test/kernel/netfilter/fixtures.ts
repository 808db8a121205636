/**
 * Restore inputs shared by the netfilter tests: a node's rules as flanneld (cni.md §1.2) and
 * kube-proxy (kubeproxy.md §1.2-1.7, Dumps A/B) write them, in their restore-input form
 * (`-m tcp -p tcp -d IP`, comment first, unquoted single-token comments, `--or-mark`), which the
 * kernel canonicalises.
 */

/** A ClusterIP service with three endpoints, a NodePort, a session-affinity service, Flannel. */
export const NODE_RULES = `*raw
:PREROUTING ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A PREROUTING -p udp --dport 6081 -j NOTRACK
-A OUTPUT -p udp -m udp --dport 6081 -j CT --notrack
COMMIT
*mangle
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:KUBE-PROXY-CANARY - [0:0]
COMMIT
*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
:FLANNEL-FWD - [0:0]
:KUBE-EXTERNAL-SERVICES - [0:0]
:KUBE-FIREWALL - [0:0]
:KUBE-FORWARD - [0:0]
:KUBE-NODEPORTS - [0:0]
:KUBE-PROXY-FIREWALL - [0:0]
:KUBE-SERVICES - [0:0]
-A INPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL
-A INPUT -m comment --comment "kubernetes health check service ports" -j KUBE-NODEPORTS
-A INPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES
-A INPUT -j KUBE-FIREWALL
-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL
-A FORWARD -m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD
-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES
-A FORWARD -m comment --comment "flanneld forward" -j FLANNEL-FWD
-A FORWARD -m physdev --physdev-is-bridged --physdev-out veth+ -j ACCEPT
-A OUTPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL
-A OUTPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A OUTPUT -j KUBE-FIREWALL
-A FLANNEL-FWD -s 10.244.0.0/16 -m comment --comment "flanneld forward" -j ACCEPT
-A FLANNEL-FWD -d 10.244.0.0/16 -m comment --comment "flanneld forward" -j ACCEPT
-A KUBE-EXTERNAL-SERVICES -m comment --comment "ns2/svc2:p80 has no local endpoints" -m addrtype --dst-type LOCAL -m tcp -p tcp --dport 3001 -j DROP
-A KUBE-FIREWALL -m comment --comment "block incoming localnet connections" -d 127.0.0.0/8 ! -s 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP
-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP
-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark 0x4000/0x4000 -j ACCEPT
-A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A KUBE-NODEPORTS -m comment --comment "ns2/svc2:p80 health check node port" -m tcp -p tcp --dport 30000 -j ACCEPT
-A KUBE-SERVICES -m comment --comment "ns6/svc6:p80 has no endpoints" -m tcp -p tcp -d 172.30.0.46 --dport 80 -j REJECT
COMMIT
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:KUBE-SERVICES - [0:0]
:KUBE-NODEPORTS - [0:0]
:KUBE-POSTROUTING - [0:0]
:KUBE-MARK-MASQ - [0:0]
:KUBE-SVC-X27LE4BHSL4DOUIK - [0:0]
:KUBE-EXT-X27LE4BHSL4DOUIK - [0:0]
:KUBE-SEP-AAAAAAAAAAAAAAAA - [0:0]
:KUBE-SEP-BBBBBBBBBBBBBBBB - [0:0]
:KUBE-SEP-CCCCCCCCCCCCCCCC - [0:0]
:KUBE-SVC-NUKIZ6OKUXPJNT4C - [0:0]
:KUBE-SEP-I77PXRDZVX7PMWMN - [0:0]
:FLANNEL-POSTRTG - [0:0]
-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING
-A POSTROUTING -m comment --comment "flanneld masq" -j FLANNEL-POSTRTG
-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN
-A KUBE-POSTROUTING -j MARK --xor-mark 0x4000
-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully
-A KUBE-MARK-MASQ -j MARK --or-mark 0x00004000
-A KUBE-NODEPORTS -m comment --comment ns3/svc3:p80 -m tcp -p tcp --dport 3003 -j KUBE-EXT-X27LE4BHSL4DOUIK
-A KUBE-SERVICES -m comment --comment "ns3/svc3:p80 cluster IP" -m tcp -p tcp -d 172.30.0.43 --dport 80 -j KUBE-SVC-X27LE4BHSL4DOUIK
-A KUBE-SERVICES -m comment --comment "ns5/svc5:p80 cluster IP" -m tcp -p tcp -d 172.30.0.45 --dport 80 -j KUBE-SVC-NUKIZ6OKUXPJNT4C
-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS
-A KUBE-EXT-X27LE4BHSL4DOUIK -m comment --comment "masquerade traffic for ns3/svc3:p80 external destinations" -j KUBE-MARK-MASQ
-A KUBE-EXT-X27LE4BHSL4DOUIK -j KUBE-SVC-X27LE4BHSL4DOUIK
-A KUBE-SVC-X27LE4BHSL4DOUIK -m comment --comment "ns3/svc3:p80 cluster IP" -m tcp -p tcp -d 172.30.0.43 --dport 80 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ
-A KUBE-SVC-X27LE4BHSL4DOUIK -m comment --comment "ns3/svc3:p80 -> 10.244.1.5:8080" -m statistic --mode random --probability 0.3333333333 -j KUBE-SEP-AAAAAAAAAAAAAAAA
-A KUBE-SVC-X27LE4BHSL4DOUIK -m comment --comment "ns3/svc3:p80 -> 10.244.2.6:8080" -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-BBBBBBBBBBBBBBBB
-A KUBE-SVC-X27LE4BHSL4DOUIK -m comment --comment "ns3/svc3:p80 -> 10.244.3.7:8080" -j KUBE-SEP-CCCCCCCCCCCCCCCC
-A KUBE-SEP-AAAAAAAAAAAAAAAA -m comment --comment ns3/svc3:p80 -s 10.244.1.5 -j KUBE-MARK-MASQ
-A KUBE-SEP-AAAAAAAAAAAAAAAA -m comment --comment ns3/svc3:p80 -m tcp -p tcp -j DNAT --to-destination 10.244.1.5:8080
-A KUBE-SEP-BBBBBBBBBBBBBBBB -m comment --comment ns3/svc3:p80 -s 10.244.2.6 -j KUBE-MARK-MASQ
-A KUBE-SEP-BBBBBBBBBBBBBBBB -m comment --comment ns3/svc3:p80 -m tcp -p tcp -j DNAT --to-destination 10.244.2.6:8080
-A KUBE-SEP-CCCCCCCCCCCCCCCC -m comment --comment ns3/svc3:p80 -s 10.244.3.7 -j KUBE-MARK-MASQ
-A KUBE-SEP-CCCCCCCCCCCCCCCC -m comment --comment ns3/svc3:p80 -m tcp -p tcp -j DNAT --to-destination 10.244.3.7:8080
-A KUBE-SVC-NUKIZ6OKUXPJNT4C -m comment --comment "ns5/svc5:p80 cluster IP" -m tcp -p tcp -d 172.30.0.45 --dport 80 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ
-A KUBE-SVC-NUKIZ6OKUXPJNT4C -m comment --comment "ns5/svc5:p80 -> 10.244.1.9:80" -m recent --name KUBE-SEP-I77PXRDZVX7PMWMN --rcheck --seconds 10800 --reap -j KUBE-SEP-I77PXRDZVX7PMWMN
-A KUBE-SVC-NUKIZ6OKUXPJNT4C -m comment --comment "ns5/svc5:p80 -> 10.244.1.9:80" -j KUBE-SEP-I77PXRDZVX7PMWMN
-A KUBE-SEP-I77PXRDZVX7PMWMN -m comment --comment ns5/svc5:p80 -s 10.244.1.9 -j KUBE-MARK-MASQ
-A KUBE-SEP-I77PXRDZVX7PMWMN -m comment --comment ns5/svc5:p80 -m recent --name KUBE-SEP-I77PXRDZVX7PMWMN --set -m tcp -p tcp -j DNAT --to-destination 10.244.1.9:80
-A FLANNEL-POSTRTG -m mark --mark 0x4000/0x4000 -m comment --comment "flanneld masq" -j RETURN
-A FLANNEL-POSTRTG -s 10.244.1.0/24 -d 10.244.0.0/16 -m comment --comment "flanneld masq" -j RETURN
-A FLANNEL-POSTRTG -s 10.244.0.0/16 -d 10.244.1.0/24 -m comment --comment "flanneld masq" -j RETURN
-A FLANNEL-POSTRTG ! -s 10.244.0.0/16 -d 10.244.1.0/24 -m comment --comment "flanneld masq" -j RETURN
-A FLANNEL-POSTRTG -s 10.244.0.0/16 ! -d 224.0.0.0/4 -m comment --comment "flanneld masq" -j MASQUERADE --random-fully
-A FLANNEL-POSTRTG ! -s 10.244.0.0/16 -d 10.244.0.0/16 -m comment --comment "flanneld masq" -j MASQUERADE --random-fully
COMMIT
`;

/** Less common forms, to pin iptables-save's canonicalisation of each extension. */
export const EXTRA_FORMS = `*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:ZZZ - [0:0]
:AAA - [0:0]
-A PREROUTING -p tcp -d 10.1.2.3/8 --dport 80 -j DNAT --to-destination 10.0.0.1:8080 --random --persistent
-A PREROUTING -p tcp --dport 81 -j DNAT --to-destination 10.0.0.1-10.0.0.5:8000-9000
-A PREROUTING -p tcp --dport 82 -j REDIRECT --to-ports 8080
-A PREROUTING -p udp -m udp --dport 53 -m udp --sport 53 -j REDIRECT
-A POSTROUTING -o eth0 -j SNAT --to-source 1.2.3.4
-A POSTROUTING -o eth1 -p udp -j SNAT --to-source 1.2.3.4:1000-2000 --random-fully
-A POSTROUTING -o eth2 -p tcp -j MASQUERADE --to-ports 1000-2000 --random
-A POSTROUTING -s 10.0.0.0/255.255.0.0 -j RETURN
-A POSTROUTING -g ZZZ
-A ZZZ -j AAA
-A AAA -j RETURN
COMMIT
*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -p icmp --icmp-type echo-request -j ACCEPT
-A INPUT -p icmp -m icmp --icmp-type 3/1 -j ACCEPT
-A INPUT -p icmp -m icmp --icmp-type port-unreachable -j ACCEPT
-A INPUT -p icmp -m icmp --icmp-type any -j ACCEPT
-A INPUT -p icmp -m icmp ! --icmp-type 0 -j ACCEPT
-A INPUT -p tcp -m tcp ! --sport 1000:2000 --dport 22 -j ACCEPT
-A INPUT -p tcp -m tcp --dport 22: -j ACCEPT
-A INPUT -p tcp -m tcp --dport :22 -j ACCEPT
-A INPUT -p tcp --sport 22:22 -j ACCEPT
-A INPUT -p tcp -m tcp --syn -j ACCEPT
-A INPUT -p tcp -m tcp --tcp-flags ALL NONE -j DROP
-A INPUT -p tcp -m multiport ! --sports 1,2,3 -j ACCEPT
-A INPUT -p udp -m multiport --ports 1,2 -j ACCEPT
-A INPUT -m multiport -p tcp --dports 22:25,80 -j ACCEPT
-A INPUT ! -p tcp -j ACCEPT
-A INPUT -p 47 -j ACCEPT
-A INPUT -p ipencap -j ACCEPT
-A INPUT -p TCP -j ACCEPT
-A INPUT -p 132 -j ACCEPT
-A INPUT -p all -j ACCEPT
-A INPUT -s 10.0.0.1,10.0.0.2 -d 0.0.0.0/0 -j ACCEPT
-A INPUT -m addrtype --src-type UNICAST ! --dst-type LOCAL -j ACCEPT
-A INPUT -m addrtype --dst-type BLACKHOLE,LOCAL,UNICAST -j ACCEPT
-A INPUT -m statistic --mode random --probability 0.2 -j ACCEPT
-A INPUT -m statistic --mode random ! --probability 1 -j ACCEPT
-A INPUT -m statistic --mode nth --every 2 --packet 0 -j ACCEPT
-A INPUT -m statistic --mode nth ! --every 4 --packet 3 -j ACCEPT
-A INPUT -m recent --update --seconds 60 --hitcount 3 --name X --rdest -j DROP
-A INPUT -m recent ! --rcheck --name Y --mask 255.255.0.0 -j DROP
-A INPUT -m recent --remove -j DROP
-A INPUT -m recent --rcheck --seconds 5 --hitcount 2 --rttl --name Z -j ACCEPT
-A INPUT -m conntrack --ctstate NEW,UNTRACKED,SNAT --ctorigdst 10.96.0.0/12 ! --ctorigsrc 10.0.0.1 ! --ctorigdstport 443 --ctorigsrcport 1000:2000 -j ACCEPT
-A INPUT -m conntrack --ctstate ESTABLISHED,NEW,INVALID -j ACCEPT
-A INPUT -m conntrack --ctstatus CONFIRMED,ASSURED,SEEN_REPLY,EXPECTED --ctdir REPLY --ctproto tcp -j ACCEPT
-A INPUT -m conntrack --ctstate DNAT --ctorigdst 10.96.0.1 --ctorigdstport 443 -j ACCEPT
-A INPUT -m state ! --state INVALID -j ACCEPT
-A INPUT -m state --state ESTABLISHED,NEW,INVALID,UNTRACKED -j ACCEPT
-A INPUT -m mark ! --mark 0x10/0xff -j ACCEPT
-A INPUT -m mark --mark 16 -j ACCEPT
-A INPUT -m mark --mark 0xffffffff/0xffffffff -j ACCEPT
-A INPUT -j LOG
-A INPUT -j LOG --log-level info --log-prefix "p: " --log-uid --log-tcp-options
-A INPUT -j LOG --log-prefix x --log-level 6
-A INPUT -j REJECT --reject-with icmp-host-unreachable
-A INPUT -j REJECT --reject-with icmp-net-unreachable
-A INPUT -j REJECT --reject-with icmp-admin-prohibited
-A INPUT -j REJECT --reject-with icmp-host-prohibited
-A INPUT -j REJECT --reject-with icmp-proto-unreachable
-A INPUT -j REJECT --reject-with port-unreach
-A INPUT -p tcp -j REJECT --reject-with tcp-rst
-A INPUT -j MARK --set-mark 0x5/0xf0
-A INPUT -j MARK --set-mark 5
-A INPUT -j MARK --and-mark 0xffff
-A INPUT -m comment --comment plain -j ACCEPT
-A INPUT -m comment --comment "with \\"quote\\" inside" -j ACCEPT
-A INPUT -m comment --comment "" -j ACCEPT
-A INPUT -m comment --comment a -m comment --comment b -j ACCEPT
-A INPUT -m limit --limit 10/sec --limit-burst 20 -j ACCEPT
-A INPUT -m limit --limit 60/min -j ACCEPT
-A INPUT -m limit --limit 7/hour --limit-burst 5 -j ACCEPT
-A INPUT -m limit --limit 1/d -j ACCEPT
-A INPUT -m limit -j ACCEPT
-A INPUT -p udp -m udp -j ACCEPT
-A INPUT -m comment --comment x
-A INPUT -p tcp --dport 80 -m tcp --sport 5 -j ACCEPT
-A INPUT -p tcp -m tcp --dport 80 -m comment --comment x --sport 5 -j ACCEPT
-A INPUT -i + -j ACCEPT
-I INPUT -j DROP
-I INPUT 3 -j RETURN
-A FORWARD -m addrtype ! --dst-type LOCAL,BROADCAST --limit-iface-out -j ACCEPT
-A FORWARD -i eth0 -o veth+ -s 1.2.3.4 -d 5.6.7.8 -p udp -j ACCEPT
-A FORWARD ! -i lo -j ACCEPT
-A FORWARD -m physdev --physdev-out veth+ --physdev-is-out -j ACCEPT
-A FORWARD -m physdev --physdev-in veth1 ! --physdev-out veth2 -j ACCEPT
-A FORWARD -m physdev ! --physdev-is-in --physdev-is-out -j ACCEPT
-A FORWARD -m physdev ! --physdev-is-bridged -j ACCEPT
-A FORWARD -p sctp -m sctp --dport 36412 -j DROP
-A FORWARD -p tcp -m multiport --dports 80,443,8000:8080 -j REJECT --reject-with tcp-reset
COMMIT
*raw
:PREROUTING ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A PREROUTING -j CT --notrack
-A PREROUTING -j NOTRACK
-A PREROUTING -j CT
COMMIT
`;
