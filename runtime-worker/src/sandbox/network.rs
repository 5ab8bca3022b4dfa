//! The profile's network policy, applied to a component's sockets.
//!
//! wasmtime-wasi asks one question for every address a socket is about to
//! use (bind, listen, accept, connect, send): may it? `NetworkGuard` answers
//! from the policy and remembers why it said no, so that the trace can name
//! the address and the rule that refused it.

use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};

use wasmtime_wasi::sockets::SocketAddrUse;

use crate::boundary::denial::{DenialKind, NetworkRule, SocketUse};
use crate::boundary::profile::NetworkPolicy;

/// One `host:port` entry of an allow-list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AddrPattern {
    host: HostPattern,
    /// `None` matches any port.
    port: Option<u16>,
    text: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum HostPattern {
    Any,
    Loopback,
    Ip(IpAddr),
}

impl AddrPattern {
    /// Parses `127.0.0.1:8080`, `[::1]:*`, `localhost:5432`, `*:443`.
    /// Hosts are matched by address: a name other than `localhost` cannot be
    /// matched, because the check sees the address a socket uses, not the
    /// name it was resolved from.
    pub fn parse(text: &str) -> Result<AddrPattern, String> {
        let text = text.trim();
        let (host, port) = text
            .rsplit_once(':')
            .ok_or_else(|| format!("`{text}` needs a port: write `host:port`, or `host:*` for any port"))?;
        let port = match port {
            "*" => None,
            p => Some(p.parse::<u16>().map_err(|_| format!("`{p}` in `{text}` is not a port (0–65535 or `*`)"))?),
        };
        let host = match host.trim_start_matches('[').trim_end_matches(']') {
            "*" => HostPattern::Any,
            "localhost" => HostPattern::Loopback,
            h => HostPattern::Ip(h.parse::<IpAddr>().map_err(|_| {
                format!(
                    "`{h}` in `{text}` is not an IP address; use an address, `localhost` or `*` \
                     (the check sees addresses, not names)"
                )
            })?),
        };
        Ok(AddrPattern { host, port, text: text.to_string() })
    }

    pub fn matches(&self, addr: SocketAddr) -> bool {
        let host = match &self.host {
            HostPattern::Any => true,
            HostPattern::Loopback => addr.ip().is_loopback(),
            HostPattern::Ip(ip) => canonical(*ip) == canonical(addr.ip()),
        };
        host && self.port.is_none_or(|p| p == addr.port())
    }
}

impl std::fmt::Display for AddrPattern {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

/// `::ffff:127.0.0.1` and `127.0.0.1` are the same host.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// Applies a `NetworkPolicy` to the addresses a component's sockets use.
#[derive(Debug)]
pub(crate) struct NetworkGuard {
    policy: NetworkPolicy,
    patterns: Vec<AddrPattern>,
    dns: bool,
    /// Why the last address was refused; taken by the call that failed.
    refusal: Mutex<Option<DenialKind>>,
}

impl NetworkGuard {
    /// Fails on an allow-list entry that cannot be understood.
    pub(crate) fn new(policy: &NetworkPolicy, dns: bool) -> Result<NetworkGuard, String> {
        let patterns = match policy {
            NetworkPolicy::AllowList(list) => list.iter().map(|p| AddrPattern::parse(p)).collect::<Result<_, _>>()?,
            _ => Vec::new(),
        };
        Ok(NetworkGuard { policy: policy.clone(), patterns, dns: dns && !policy.is_off(), refusal: Mutex::new(None) })
    }

    pub(crate) fn sockets_allowed(&self) -> bool {
        !self.policy.is_off()
    }

    pub(crate) fn dns_allowed(&self) -> bool {
        self.dns
    }

    /// The check wasmtime-wasi calls; records the reason when it says no.
    pub(crate) fn check(&self, addr: SocketAddr, use_: SocketAddrUse) -> bool {
        // wasmtime binds a socket to the wildcard address and port 0 before
        // every connect and send (an implicit bind): that opens no port.
        // A wildcard address with a port, or one to listen, accept or
        // receive on, is a socket open to every interface.
        let implicit_bind = addr.ip().is_unspecified()
            && addr.port() == 0
            && matches!(use_, SocketAddrUse::TcpBind | SocketAddrUse::UdpBind);
        let refused = match &self.policy {
            NetworkPolicy::All => None,
            NetworkPolicy::Off => Some(NetworkRule::NetworkOff),
            _ if implicit_bind => None,
            NetworkPolicy::Loopback if addr.ip().is_loopback() => None,
            NetworkPolicy::Loopback => Some(NetworkRule::LoopbackOnly),
            NetworkPolicy::AllowList(_) => {
                if self.patterns.iter().any(|p| p.matches(addr)) {
                    None
                } else if self.patterns.is_empty() {
                    Some(NetworkRule::EmptyAllowList)
                } else {
                    Some(NetworkRule::NoEntryMatches(self.patterns.iter().map(ToString::to_string).collect()))
                }
            }
        };
        match refused {
            None => true,
            Some(rule) => {
                // An accepted connection or a received datagram that is
                // refused is dropped by wasmtime-wasi without failing any
                // call, so there is no call to carry the reason: record only
                // refusals that make the guest's own call fail.
                let socket_use = match use_ {
                    SocketAddrUse::TcpAccept | SocketAddrUse::UdpReceive => return false,
                    SocketAddrUse::TcpBind => SocketUse::TcpBind,
                    SocketAddrUse::TcpListen => SocketUse::TcpListen,
                    SocketAddrUse::TcpConnect => SocketUse::TcpConnect,
                    SocketAddrUse::UdpBind => SocketUse::UdpBind,
                    SocketAddrUse::UdpSend => SocketUse::UdpSend,
                };
                *self.refusal.lock().unwrap_or_else(|p| p.into_inner()) =
                    Some(DenialKind::AddressRefused { addr, socket_use, rule });
                false
            }
        }
    }

    /// The reason recorded by the last refused check, if any.
    pub(crate) fn take_refusal(&self) -> Option<DenialKind> {
        self.refusal.lock().unwrap_or_else(|p| p.into_inner()).take()
    }

    /// Why a socket call failed with `access-denied` when no address was
    /// checked: creating a socket with the network off.
    pub(crate) fn why_denied(&self) -> DenialKind {
        DenialKind::NetworkOff
    }

    /// Applies the policy to a WASI context under construction.
    pub(crate) fn apply(self: &Arc<Self>, builder: &mut wasmtime_wasi::WasiCtxBuilder) {
        let on = self.sockets_allowed();
        builder.allow_tcp(on).allow_udp(on).allow_ip_name_lookup(self.dns);
        let guard = Arc::clone(self);
        builder.socket_addr_check(move |addr, use_| {
            let allowed = guard.check(addr, use_);
            Box::pin(async move { allowed })
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(s: &str) -> SocketAddr {
        s.parse().unwrap()
    }

    #[test]
    fn patterns_match_addresses_and_ports() {
        let p = AddrPattern::parse("127.0.0.1:8080").unwrap();
        assert!(p.matches(addr("127.0.0.1:8080")));
        assert!(!p.matches(addr("127.0.0.1:8081")));
        assert!(!p.matches(addr("10.0.0.1:8080")));
        assert!(p.matches(addr("[::ffff:127.0.0.1]:8080")));
        let any_port = AddrPattern::parse("[::1]:*").unwrap();
        assert!(any_port.matches(addr("[::1]:1")));
        let local = AddrPattern::parse("localhost:5432").unwrap();
        assert!(local.matches(addr("127.0.0.2:5432")));
        assert!(AddrPattern::parse("*:443").unwrap().matches(addr("93.184.216.34:443")));
    }

    #[test]
    fn bad_patterns_say_what_is_wrong() {
        assert!(AddrPattern::parse("127.0.0.1").unwrap_err().contains("needs a port"));
        assert!(AddrPattern::parse("example.com:80").unwrap_err().contains("not an IP address"));
        assert!(AddrPattern::parse("1.2.3.4:99999").unwrap_err().contains("not a port"));
    }

    #[test]
    fn refusals_name_the_address_and_the_rule() {
        let guard = NetworkGuard::new(&NetworkPolicy::AllowList(vec!["127.0.0.1:8080".into()]), false).unwrap();
        assert!(guard.check(addr("127.0.0.1:8080"), SocketAddrUse::TcpConnect));
        assert!(guard.check(addr("0.0.0.0:0"), SocketAddrUse::TcpBind), "implicit binds are allowed");
        assert!(!guard.check(addr("0.0.0.0:5353"), SocketAddrUse::UdpBind), "a wildcard with a port is not");
        let _ = guard.take_refusal();
        assert!(!guard.check(addr("10.1.2.3:80"), SocketAddrUse::TcpConnect));
        let why = guard.take_refusal().unwrap().to_string();
        assert!(why.contains("10.1.2.3:80") && why.contains("`127.0.0.1:8080`"), "{why}");
        assert!(guard.take_refusal().is_none());

        let loopback = NetworkGuard::new(&NetworkPolicy::Loopback, true).unwrap();
        assert!(loopback.check(addr("[::1]:9"), SocketAddrUse::UdpSend));
        assert!(!loopback.check(addr("8.8.8.8:53"), SocketAddrUse::UdpSend));
        assert!(loopback.take_refusal().unwrap().to_string().contains("loopback-only"));

        // Loopback-only: a server must bind a loopback address; the wildcard
        // would listen on every interface.
        assert!(loopback.check(addr("0.0.0.0:0"), SocketAddrUse::TcpBind), "the implicit bind of a connect");
        assert!(!loopback.check(addr("0.0.0.0:8080"), SocketAddrUse::TcpBind));
        assert!(!loopback.check(addr("0.0.0.0:8080"), SocketAddrUse::TcpListen));
        assert!(!loopback.check(addr("0.0.0.0:0"), SocketAddrUse::TcpListen));
        assert!(!loopback.check(addr("[::]:5353"), SocketAddrUse::UdpBind));
        assert!(!loopback.check(addr("0.0.0.0:68"), SocketAddrUse::UdpReceive));
        assert!(loopback.check(addr("127.0.0.1:8080"), SocketAddrUse::TcpListen));
        let _ = loopback.take_refusal();
        // A refused accept is a dropped connection, not a failed call.
        assert!(!loopback.check(addr("10.0.0.9:40000"), SocketAddrUse::TcpAccept));
        assert!(loopback.take_refusal().is_none());

        let off = NetworkGuard::new(&NetworkPolicy::Off, true).unwrap();
        assert!(!off.dns_allowed(), "DNS follows the network switch");
        assert!(!off.check(addr("127.0.0.1:80"), SocketAddrUse::TcpConnect));
    }
}
