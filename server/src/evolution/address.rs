//! Which Evolution servers Flow may call. An instance's `api_url` is typed by a tenant's admin;
//! without a rule, Flow would call whatever it names — the operator's database, a cloud
//! metadata service (`169.254.169.254`), an admin port on loopback — and show parts of the
//! answer. Unless the operator sets `FLOW_EVOLUTION_ALLOW_PRIVATE=true` (an Evolution next to
//! Flow on a private network or the same host, the common self-hosted case), every address a
//! call would reach must be public: URLs naming a non-public address are refused, and names
//! are resolved by [`PublicResolver`], which hands the connection only public addresses, so
//! the address checked is the address used (no second lookup a DNS answer could change).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use reqwest::Url;

/// Which addresses Evolution calls may reach.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AddressPolicy {
    /// Public addresses only (the default).
    PublicOnly,
    /// Any address (`FLOW_EVOLUTION_ALLOW_PRIVATE=true`).
    AllowPrivate,
}

/// Why an `api_url` may not be called.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AddressError {
    /// Not an `http://` or `https://` URL with a host, or it carries a user name, password,
    /// query or fragment (a `?` would turn Flow's own path into a query string).
    #[error("not an http(s) URL of a server, without user, query or fragment")]
    Malformed,
    /// It names or resolves to a loopback, private, link-local or metadata address.
    #[error("{host} is not a public address")]
    NotPublic {
        /// The host as written.
        host: String,
    },
    /// The name does not resolve.
    #[error("{host} does not resolve")]
    Unresolved {
        /// The host as written.
        host: String,
    },
}

/// Whether `ip` is an address of the operator's own networks rather than the internet:
/// unspecified, loopback, private (RFC 1918, unique local), shared (carrier-grade NAT),
/// link-local (where cloud metadata services live), multicast, broadcast, documentation and
/// benchmarking ranges, or an IPv4 address mapped into IPv6 that is one of these.
pub fn is_not_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4_not_public(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4_not_public(v4),
            None => v6_not_public(v6),
        },
    }
}

fn v4_not_public(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_multicast()
        || ip.is_broadcast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b))
        || (a == 198 && (b == 18 || b == 19))
        || a >= 240
}

fn v6_not_public(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        || (first & 0xfe00) == 0xfc00
        || (first & 0xffc0) == 0xfe80
        || first == 0x2001 && ip.segments()[1] == 0x0db8
        || ip
            .to_ipv4()
            .is_some_and(|v4| v4_not_public(v4) && !v4.is_unspecified())
}

impl AddressPolicy {
    /// `FLOW_EVOLUTION_ALLOW_PRIVATE`: true allows any address.
    pub fn from_allow_private(allow: bool) -> Self {
        if allow {
            Self::AllowPrivate
        } else {
            Self::PublicOnly
        }
    }

    /// Whether a call may reach `ip`.
    pub fn allows(self, ip: IpAddr) -> bool {
        self == Self::AllowPrivate || !is_not_public(ip)
    }

    /// Checks an `api_url` as written, without resolving it: its form, and the address when it
    /// names one.
    ///
    /// # Errors
    /// [`AddressError::Malformed`] or [`AddressError::NotPublic`].
    pub fn check_url(self, api_url: &str) -> Result<Url, AddressError> {
        let url = Url::parse(api_url).map_err(|_| AddressError::Malformed)?;
        let well_formed = matches!(url.scheme(), "http" | "https")
            && url.host_str().is_some_and(|h| !h.is_empty())
            && url.username().is_empty()
            && url.password().is_none()
            && url.query().is_none()
            && url.fragment().is_none()
            && !api_url.contains(['?', '#']);
        if !well_formed {
            return Err(AddressError::Malformed);
        }
        let literal = url
            .host_str()
            .unwrap_or_default()
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<IpAddr>()
            .ok();
        if let Some(ip) = literal
            && !self.allows(ip)
        {
            return Err(AddressError::NotPublic {
                host: url.host_str().unwrap_or_default().to_string(),
            });
        }
        Ok(url)
    }

    /// [`check_url`](Self::check_url), then every address its name resolves to: how an
    /// instance's URL is checked when an admin gives it.
    ///
    /// # Errors
    /// As [`check_url`](Self::check_url), and [`AddressError::Unresolved`].
    pub async fn check_url_resolved(self, api_url: &str) -> Result<(), AddressError> {
        let url = self.check_url(api_url)?;
        if self == Self::AllowPrivate {
            return Ok(());
        }
        let host = url.host_str().unwrap_or_default().to_string();
        let port = url.port_or_known_default().unwrap_or(80);
        let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), port))
            .await
            .map_err(|_| AddressError::Unresolved { host: host.clone() })?
            .collect();
        if addrs.is_empty() {
            return Err(AddressError::Unresolved { host });
        }
        if addrs.iter().any(|a| !self.allows(a.ip())) {
            return Err(AddressError::NotPublic { host });
        }
        Ok(())
    }
}

/// The resolver of Flow's Evolution client: resolves as the system does, then keeps only the
/// addresses the policy allows, so a name that points (or is re-pointed) at a private address
/// fails to connect instead of reaching it.
pub struct PublicResolver(pub AddressPolicy);

impl reqwest::dns::Resolve for PublicResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let policy = self.0;
        let host = name.as_str().to_string();
        Box::pin(async move {
            let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .filter(|a| policy.allows(a.ip()))
                .collect();
            if addrs.is_empty() {
                return Err(format!("{host} has no address Flow may call").into());
            }
            Ok(Box::new(addrs.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// The resolver for `policy`, as reqwest takes it.
pub fn resolver(policy: AddressPolicy) -> Arc<PublicResolver> {
    Arc::new(PublicResolver(policy))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_loopback_link_local_and_metadata_are_not_public() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fd00:ec2::254",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
        ] {
            assert!(is_not_public(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["8.8.8.8", "200.160.2.3", "2001:4860:4860::8888"] {
            assert!(!is_not_public(ip.parse().unwrap()), "{ip}");
        }
    }

    #[test]
    fn urls_are_checked_by_form_and_literal_address() {
        let public = AddressPolicy::PublicOnly;
        assert!(public.check_url("https://evo.example.com").is_ok());
        assert!(
            public
                .check_url("https://evo.example.com:8080/base")
                .is_ok()
        );
        for malformed in [
            "ftp://evo.example.com",
            "https://user:pw@evo.example.com",
            "https://user@evo.example.com",
            "https://evo.example.com/?x=",
            "https://evo.example.com/#x",
            "https://evo.example.com?",
            "evo.example.com",
            "http://",
        ] {
            assert_eq!(
                public.check_url(malformed),
                Err(AddressError::Malformed),
                "{malformed}"
            );
        }
        for private in [
            "http://127.0.0.1:8080",
            "http://169.254.169.254",
            "http://[::1]:8080",
            "http://10.0.0.5",
        ] {
            assert!(
                matches!(
                    public.check_url(private),
                    Err(AddressError::NotPublic { .. })
                ),
                "{private}"
            );
            assert!(AddressPolicy::AllowPrivate.check_url(private).is_ok());
        }
    }

    #[tokio::test]
    async fn names_are_refused_when_they_resolve_to_private_addresses() {
        let public = AddressPolicy::PublicOnly;
        assert!(matches!(
            public.check_url_resolved("http://localhost:8080").await,
            Err(AddressError::NotPublic { .. })
        ));
        assert!(
            AddressPolicy::AllowPrivate
                .check_url_resolved("http://localhost:8080")
                .await
                .is_ok()
        );
        // The client's resolver hands out no private address either.
        use reqwest::dns::Resolve;
        let name: reqwest::dns::Name = "localhost".parse().unwrap();
        assert!(PublicResolver(public).resolve(name).await.is_err());
    }
}
