//! Outgoing `wasi:http` requests under the profile's network policy.
//!
//! wasmtime-wasi-http sends a request through its own connection (not
//! through `wasi:sockets`), so the socket check does not see it. The hooks
//! here put every request through the same `NetworkGuard`: the URL's host is
//! resolved (a name only when DNS is allowed) and the request is sent only
//! when every address it resolves to is allowed. Each request, sent or
//! refused, is recorded as a host call with its method, URL, status and time.

use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Instant;

use http_body_util::BodyExt;
use wasmtime_wasi::sockets::SocketAddrUse;
use wasmtime_wasi_http::{Error, RequestOptions, WasiBody, WasiHttpHooks};

use crate::boundary::denial::{Denial, DenialKind};
use crate::boundary::event::HostCall;
use crate::boundary::name::Name;
use crate::sandbox::network::NetworkGuard;
use crate::trace::host_calls::CallLog;

/// The interface and function a request is recorded under: the host's
/// side of `wasi:http/outgoing-handler` (0.2) and `wasi:http/client` (0.3).
pub(crate) const INTERFACE: &str = "wasi:http (host)";
pub(crate) const FUNCTION: &str = "send-request";

type Sent = Box<dyn Future<Output = Result<(), Error>> + Send>;

pub(crate) struct HttpHooks {
    network: Arc<NetworkGuard>,
    /// Where requests are recorded; `None` when the run records no calls.
    log: Option<Arc<CallLog>>,
    origin: Instant,
}

impl HttpHooks {
    pub(crate) fn new(network: Arc<NetworkGuard>, log: Option<Arc<CallLog>>, origin: Instant) -> HttpHooks {
        HttpHooks { network, log, origin }
    }
}

impl WasiHttpHooks for HttpHooks {
    fn send_request(
        &mut self,
        request: http::Request<WasiBody>,
        options: Option<RequestOptions>,
        fut: Sent,
    ) -> Box<dyn Future<Output = Result<(http::Response<WasiBody>, Sent), Error>> + Send> {
        drop(fut);
        let network = Arc::clone(&self.network);
        let log = self.log.clone();
        let origin = self.origin;
        Box::new(async move {
            let start_ns = origin.elapsed().as_nanos() as u64;
            let method = request.method().to_string();
            let url = request.uri().to_string();
            let args = vec![
                (Box::from("method"), Box::from(method.as_str())),
                (Box::from("url"), Box::from(format!("{url:?}"))),
                (Box::from("headers"), Box::from(request.headers().len().to_string())),
            ];
            let record = |result: String, error: Option<&str>, denial: Option<Denial>| {
                if let Some(log) = &log {
                    let now = origin.elapsed().as_nanos() as u64;
                    log.push(HostCall {
                        seq: 0,
                        interface: Name::from_static(INTERFACE),
                        function: Name::from_static(FUNCTION),
                        start_ns,
                        dur_ns: now.saturating_sub(start_ns),
                        args: args.clone().into(),
                        result: result.into(),
                        error: error.map(Box::from),
                        denial: denial.map(Box::new),
                        part: None,
                        callee: None,
                    });
                }
            };
            let mut request = request;
            match admit(&network, request.uri()).await {
                Err(Refused::Denied(cause)) => {
                    let kind = DenialKind::HttpRequestRefused {
                        method: method.clone(),
                        url: url.clone(),
                        cause: Box::new(cause),
                    };
                    record("Err(http-request-denied)".into(), Some("http-request-denied"), Some(Denial::new(kind)));
                    return Err(Error::HttpRequestDenied);
                }
                Err(Refused::Unresolved(host)) => {
                    record(format!("Err(DNS-error: {host} does not resolve)"), Some("dns-error"), None);
                    return Err(Error::DnsError { rcode: Some("address not available".into()), info_code: None });
                }
                // Plain HTTP goes to the very address that was checked: a
                // second lookup by the sender could answer differently (DNS
                // rebinding). The `host` header keeps the name. (HTTPS needs
                // the name for the certificate; see `admit`.)
                Ok(Some(checked)) if request.uri().scheme() != Some(&http::uri::Scheme::HTTPS) => {
                    let mut parts = request.uri().clone().into_parts();
                    parts.authority = checked.to_string().parse().ok();
                    if let Ok(pinned) = http::Uri::from_parts(parts) {
                        *request.uri_mut() = pinned;
                    }
                }
                Ok(_) => {}
            }
            match wasmtime_wasi_http::default_send_request(request, options).await {
                Ok((response, io)) => {
                    let status = response.status();
                    let headers = response.headers().len();
                    record(
                        format!(
                            "Ok({} {}, {headers} headers)",
                            status.as_u16(),
                            status.canonical_reason().unwrap_or("")
                        ),
                        None,
                        None,
                    );
                    Ok((response.map(BodyExt::boxed_unsync), Box::new(io) as Sent))
                }
                Err(e) => {
                    let code = error_name(&e);
                    record(format!("Err({e:?})"), Some(&code), None);
                    Err(e)
                }
            }
        })
    }
}

/// Headers as text pairs, as the boundary types carry them (a value that is
/// not UTF-8 is shown lossily).
pub(crate) fn header_pairs(headers: &http::HeaderMap) -> Vec<(String, String)> {
    headers.iter().map(|(k, v)| (k.to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned())).collect()
}

/// Why a request is not sent.
#[derive(Debug, PartialEq)]
enum Refused {
    /// The policy refused an address, or a name lookup.
    Denied(DenialKind),
    /// The name does not resolve (so nothing could be checked).
    Unresolved(String),
}

/// Checks the addresses a request to `uri` would use: the first of them
/// when all are allowed (`None` for a URI without an authority), or why not.
///
/// The name is looked up once, here. A plain-HTTP request is then sent to
/// the address checked; an HTTPS one is sent by name (its certificate is
/// checked against the name), so the sender looks it up again: a name that
/// answers differently the second time reaches an address not checked here,
/// though only a server holding a certificate for that name can answer.
async fn admit(network: &NetworkGuard, uri: &http::Uri) -> Result<Option<SocketAddr>, Refused> {
    let Some(authority) = uri.authority() else { return Ok(None) };
    let host = authority.host().trim_start_matches('[').trim_end_matches(']');
    let port = authority.port_u16().unwrap_or(if uri.scheme() == Some(&http::uri::Scheme::HTTPS) { 443 } else { 80 });
    let addrs: Vec<SocketAddr> = match host.parse::<IpAddr>() {
        Ok(ip) => vec![SocketAddr::new(ip, port)],
        Err(_) if !network.dns_allowed() && !host.eq_ignore_ascii_case("localhost") => {
            return Err(Refused::Denied(DenialKind::DnsOff {
                host: Some(host.to_string()),
                network_off: !network.sockets_allowed(),
            }));
        }
        Err(_) => match tokio::net::lookup_host((host, port)).await {
            Ok(addrs) => addrs.collect(),
            Err(_) => return Err(Refused::Unresolved(host.to_string())),
        },
    };
    if addrs.is_empty() {
        return Err(Refused::Unresolved(host.to_string()));
    }
    for addr in &addrs {
        if !network.check(*addr, SocketAddrUse::TcpConnect) {
            return Err(Refused::Denied(network.take_refusal().unwrap_or_else(|| network.why_denied())));
        }
    }
    Ok(addrs.first().copied())
}

/// The kebab-case name of a wasi:http error, as the guest sees it.
fn error_name(error: &Error) -> String {
    let debug = format!("{error:?}");
    let name = debug.split(['(', ' ', '{']).next().unwrap_or("error");
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            out.push('-');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::boundary::denial::{NetworkRule, SocketUse};
    use crate::boundary::profile::NetworkPolicy;

    fn admit_to(policy: NetworkPolicy, dns: bool, url: &str) -> Result<(), DenialKind> {
        let guard = NetworkGuard::new(&policy, dns).unwrap();
        let uri: http::Uri = url.parse().unwrap();
        let tokio = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        match tokio.block_on(admit(&guard, &uri)) {
            Ok(_) => Ok(()),
            Err(Refused::Denied(kind)) => Err(kind),
            Err(Refused::Unresolved(host)) => panic!("{host} did not resolve"),
        }
    }

    #[test]
    fn the_checked_address_is_the_one_sent_to_and_a_name_that_does_not_resolve_is_not_sent() {
        let guard = NetworkGuard::new(&NetworkPolicy::All, true).unwrap();
        let tokio = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let admitted = tokio.block_on(admit(&guard, &"http://localhost:8080/x".parse().unwrap()));
        assert!(admitted.unwrap().unwrap().ip().is_loopback());
        let nowhere = tokio.block_on(admit(&guard, &"http://no-such-host.invalid/".parse().unwrap()));
        assert_eq!(nowhere, Err(Refused::Unresolved("no-such-host.invalid".into())));
    }

    #[test]
    fn an_allowed_address_is_admitted_with_its_default_port() {
        let allow = NetworkPolicy::AllowList(vec!["127.0.0.1:80".into()]);
        assert_eq!(admit_to(allow.clone(), false, "http://127.0.0.1/x"), Ok(()));
        assert_eq!(admit_to(allow, false, "http://localhost:80/"), Ok(()));
    }

    #[test]
    fn an_address_off_the_list_is_refused_with_the_rule() {
        let allow = NetworkPolicy::AllowList(vec!["127.0.0.1:8080".into()]);
        let refused = admit_to(allow, false, "http://127.0.0.1:9090/").unwrap_err();
        assert_eq!(
            refused,
            DenialKind::AddressRefused {
                addr: "127.0.0.1:9090".parse().unwrap(),
                socket_use: SocketUse::TcpConnect,
                rule: NetworkRule::NoEntryMatches(vec!["127.0.0.1:8080".into()]),
            }
        );
    }

    #[test]
    fn a_name_is_not_looked_up_while_dns_is_off() {
        let refused = admit_to(NetworkPolicy::All, false, "https://example.com/").unwrap_err();
        assert_eq!(refused, DenialKind::DnsOff { host: Some("example.com".into()), network_off: false });
        let refused = admit_to(NetworkPolicy::Off, true, "http://example.com/").unwrap_err();
        assert!(matches!(refused, DenialKind::DnsOff { network_off: true, .. }), "{refused:?}");
    }

    #[test]
    fn the_refusal_names_the_request() {
        let cause = DenialKind::DnsOff { host: Some("example.com".into()), network_off: false };
        let kind = DenialKind::HttpRequestRefused {
            method: "GET".into(),
            url: "https://example.com/".into(),
            cause: Box::new(cause.clone()),
        };
        assert_eq!(kind.network_cause(), &cause);
        assert_eq!(
            Denial::new(kind).reason,
            "GET https://example.com/ was not sent: DNS lookups are off: example.com was not resolved"
        );
    }

    #[test]
    fn error_names_are_kebab_case() {
        assert_eq!(error_name(&Error::HttpRequestDenied), "http-request-denied");
        assert_eq!(error_name(&Error::ConnectionRefused), "connection-refused");
    }
}
