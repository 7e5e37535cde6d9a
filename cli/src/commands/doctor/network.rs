//! The DNS and TCP steps: the name resolves to private addresses (the Route 53 private
//! hosted zone's alias to the execute-api VPC endpoint), and the port takes connections
//! (the endpoint's security group lets this host in on 443).

use std::io::ErrorKind;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use tokio::net::TcpStream;

use super::{Finding, Walk};
use crate::endpoint::Endpoint;

/// Time for the resolver, and for each connection attempt.
const DNS_LIMIT: Duration = Duration::from_secs(5);
const CONNECT_LIMIT: Duration = Duration::from_secs(5);

/// Where an address is, for a client inside a VPC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// RFC 1918, the shared 100.64.0.0/10 (both usable as VPC ranges), IPv6 unique local.
    Private,
    /// Loopback or link-local: a tunnel or a hosts-file entry on this host.
    ThisHost,
    Public,
}

pub fn reach(ip: IpAddr) -> Reach {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            if v4.is_loopback() || v4.is_link_local() {
                Reach::ThisHost
            } else if v4.is_private() || (a == 100 && (64..128).contains(&b)) {
                Reach::Private
            } else {
                Reach::Public
            }
        }
        IpAddr::V6(v6) => {
            let first = v6.segments()[0];
            if v6.is_loopback() || first & 0xffc0 == 0xfe80 {
                Reach::ThisHost
            } else if first & 0xfe00 == 0xfc00 {
                Reach::Private
            } else if let Some(v4) = v6.to_ipv4_mapped() {
                reach(IpAddr::V4(v4))
            } else {
                Reach::Public
            }
        }
    }
}

pub async fn dns(endpoint: &Endpoint, walk: &mut Walk) -> Finding {
    let port = endpoint.port();
    if let Some(ip) = endpoint.ip() {
        walk.addresses = vec![SocketAddr::new(ip, port)];
        return Finding::NotApplicable(format!(
            "not applicable: the endpoint is an address ({ip})"
        ));
    }
    let host = endpoint.host();
    let resolved =
        tokio::time::timeout(DNS_LIMIT, tokio::net::lookup_host((host.as_str(), port))).await;
    let addresses: Vec<SocketAddr> = match resolved {
        Err(_) => return Finding::fail(
            format!("{host} did not resolve within {} s", DNS_LIMIT.as_secs()),
            "check this host's resolver (the VPC's Route 53 Resolver at the VPC base address + 2)",
        ),
        Ok(Err(error)) => {
            return if endpoint.is_local() {
                Finding::fail(
                    format!("{host} does not resolve: {error}"),
                    "use the local stack's address as printed at its start, e.g. http://127.0.0.1:8080",
                )
            } else {
                Finding::fail(
                    format!("{host} does not resolve: {error}"),
                    "associate the Route 53 private hosted zone with this VPC, turn on the VPC's \
                     enableDnsSupport and enableDnsHostnames, and run this from a host in the VPC",
                )
            }
        }
        Ok(Ok(addresses)) => addresses.collect(),
    };
    walk.addresses.clone_from(&addresses);
    if addresses.is_empty() {
        return Finding::fail(
            format!("{host} resolves to no address"),
            "check the Route 53 record",
        );
    }
    let listed = addresses
        .iter()
        .map(|a| a.ip().to_string())
        .collect::<Vec<_>>()
        .join(", ");
    if endpoint.is_local() {
        return Finding::NotApplicable(format!(
            "not applicable: the local stack ({host} is {listed})"
        ));
    }
    let public: Vec<String> = addresses
        .iter()
        .filter(|a| reach(a.ip()) == Reach::Public)
        .map(|a| a.ip().to_string())
        .collect();
    if !public.is_empty() {
        return Finding::fail(
            format!(
                "{host} resolves to public addresses ({})",
                public.join(", ")
            ),
            "the name must resolve in the VPC's private hosted zone (an alias to the execute-api \
             VPC endpoint): run this from a host in the VPC, and check that the zone is \
             associated with the VPC and no public zone shadows it",
        );
    }
    let private = addresses
        .iter()
        .filter(|a| reach(a.ip()) == Reach::Private)
        .count();
    let kind = if private == addresses.len() {
        "private"
    } else if private == 0 {
        "this host: a tunnel or a hosts-file entry"
    } else {
        "private, and this host: a tunnel or a hosts-file entry"
    };
    Finding::Ok(format!("{host} resolves to {listed} ({kind})"))
}

pub async fn tcp(endpoint: &Endpoint, walk: &mut Walk) -> Finding {
    let port = endpoint.port();
    let mut last = None;
    for address in &walk.addresses {
        match tokio::time::timeout(CONNECT_LIMIT, TcpStream::connect(address)).await {
            Ok(Ok(_stream)) => {
                walk.reached = Some(*address);
                return Finding::Ok(format!("connected to {address}"));
            }
            Ok(Err(error)) => last = Some((*address, Some(error))),
            Err(_) => last = Some((*address, None)),
        }
    }
    let Some((address, error)) = last else {
        return Finding::fail("no address to connect to", "see the DNS step");
    };
    let local = endpoint.is_local();
    match error {
        Some(error) if error.kind() == ErrorKind::ConnectionRefused => Finding::fail(
            format!("nothing listens on {address} (connection refused)"),
            if local {
                "start the local stack (`make dev`, or private-ingest-local) or point --endpoint at the URL it printed".to_owned()
            } else {
                format!("the name must alias the execute-api VPC endpoint, which listens on 443; port {port} is not it")
            },
        ),
        Some(error) => Finding::fail(
            format!("could not connect to {address}: {error}"),
            "check this host's network and routes to the address",
        ),
        None => Finding::fail(
            format!(
                "no answer from {address} within {} s",
                CONNECT_LIMIT.as_secs()
            ),
            if local {
                "is the local stack's port firewalled?".to_owned()
            } else {
                format!(
                    "the execute-api VPC endpoint's security group must allow TCP {port} from this host \
                     (the stack allows the VPC's CIDR), and no network ACL may drop it"
                )
            },
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_told_apart() {
        for (ip, expected) in [
            ("10.0.1.5", Reach::Private),
            ("172.31.255.1", Reach::Private),
            ("192.168.0.1", Reach::Private),
            ("100.64.0.1", Reach::Private),
            ("100.128.0.1", Reach::Public),
            ("127.0.0.1", Reach::ThisHost),
            ("169.254.0.2", Reach::ThisHost),
            ("52.95.110.1", Reach::Public),
            ("fd00::1", Reach::Private),
            ("::1", Reach::ThisHost),
            ("fe80::1", Reach::ThisHost),
            ("2600:1f18::1", Reach::Public),
            ("::ffff:10.0.0.1", Reach::Private),
        ] {
            assert_eq!(reach(ip.parse().unwrap()), expected, "{ip}");
        }
    }
}
