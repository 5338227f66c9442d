//! Where a council's crawl may go: its own hosts, and never an internal
//! network address unless the user named that host as a seed.
//!
//! Input: the council's seed URLs and the configured host patterns.
//! Output: yes/no for each link or redirect target ([`Scope::check`]), and
//! the address test ([`is_internal`]) the DNS resolver applies to every
//! name it resolves, so that a public host name pointing at 127.0.0.1 or
//! 10.0.0.1 is refused as well as a literal address.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use url::{Host, Url};

/// Why a URL is out of a council's scope.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutOfScope {
    /// Not `http` or `https`.
    Scheme,
    /// Another organisation's host.
    Host,
    /// A private, loopback or link-local address that was not a seed.
    Internal,
}

/// The hosts one council's crawl may visit.
#[derive(Clone, Debug)]
pub struct Scope {
    /// `host:port` authorities of the seeds: always in scope, and the only
    /// internal addresses allowed.
    seeds: Vec<String>,
    /// Host patterns: `example.gov.uk` (exactly that host) or
    /// `*.example.gov.uk` (the domain and every subdomain).
    patterns: Vec<String>,
    allow_internal_seeds: bool,
}

/// Public suffixes under which a council owns its domain: a seed on
/// `democracy.york.gov.uk` brings `york.gov.uk` and its subdomains in.
const COUNCIL_SUFFIXES: &[&str] = &[".gov.uk", ".gov.wales", ".gov.scot", ".llyw.cymru"];

impl Scope {
    /// The scope of a council crawled from `seeds`, with extra host
    /// `patterns`.
    pub fn new(seeds: &[Url], patterns: &[String], allow_internal_seeds: bool) -> Scope {
        let mut all_patterns: Vec<String> = patterns.iter().map(|p| p.to_lowercase()).collect();
        for seed in seeds {
            if let Some(domain) = seed.host_str().and_then(council_domain) {
                all_patterns.push(format!("*.{domain}"));
            }
        }
        Scope {
            seeds: seeds.iter().filter_map(authority).collect(),
            patterns: all_patterns,
            allow_internal_seeds,
        }
    }

    /// Whether the crawl may request `url`.
    pub fn check(&self, url: &Url) -> Result<(), OutOfScope> {
        if !matches!(url.scheme(), "http" | "https") {
            return Err(OutOfScope::Scheme);
        }
        let Some(key) = authority(url) else {
            return Err(OutOfScope::Host);
        };
        let is_seed = self.seeds.contains(&key);
        let literal = match url.host() {
            Some(Host::Ipv4(ip)) => Some(IpAddr::V4(ip)),
            Some(Host::Ipv6(ip)) => Some(IpAddr::V6(ip)),
            _ => None,
        };
        let internal = literal.is_some_and(is_internal)
            || url
                .host_str()
                .is_some_and(|h| h.eq_ignore_ascii_case("localhost"));
        if internal && !(is_seed && self.allow_internal_seeds) {
            return Err(OutOfScope::Internal);
        }
        if is_seed {
            return Ok(());
        }
        let host = url.host_str().unwrap_or_default().to_lowercase();
        let matched = self
            .patterns
            .iter()
            .any(|pattern| match pattern.strip_prefix("*.") {
                Some(domain) => host == domain || host.ends_with(&format!(".{domain}")),
                None => host == *pattern,
            });
        if matched {
            Ok(())
        } else {
            Err(OutOfScope::Host)
        }
    }

    /// Host names (without ports) of the seeds, which the resolver lets
    /// resolve to internal addresses when the scope allows it.
    pub fn internal_ok_hosts(&self) -> Vec<String> {
        if !self.allow_internal_seeds {
            return Vec::new();
        }
        self.seeds
            .iter()
            .map(|authority| match authority.rsplit_once(':') {
                Some((host, _)) => host.to_owned(),
                None => authority.clone(),
            })
            .collect()
    }
}

/// `host:port` of a URL, lowercase, with the scheme's default port filled
/// in: the unit of scope and of politeness.
pub fn authority(url: &Url) -> Option<String> {
    let host = url.host_str()?.to_lowercase();
    let port = url.port_or_known_default()?;
    Some(format!("{host}:{port}"))
}

/// The council domain a host belongs to (`democracy.york.gov.uk` gives
/// `york.gov.uk`), if it is under a council-only public suffix.
fn council_domain(host: &str) -> Option<String> {
    let host = host.to_lowercase();
    COUNCIL_SUFFIXES.iter().find_map(|suffix| {
        let stem = host.strip_suffix(suffix)?;
        let label = stem.rsplit('.').next().filter(|l| !l.is_empty())?;
        Some(format!("{label}{suffix}"))
    })
}

/// True for addresses a crawl of the public web must never reach:
/// loopback, private, link-local, shared, unspecified, broadcast,
/// documentation and unique-local ranges (and IPv4 addresses mapped into
/// IPv6).
pub fn is_internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_internal_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_internal_v4(v4),
            None => is_internal_v6(v6),
        },
    }
}

fn is_internal_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b))
}

fn is_internal_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    ip.is_loopback()
        || ip.is_unspecified()
        || (first & 0xfe00) == 0xfc00
        || (first & 0xffc0) == 0xfe80
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(text: &str) -> Url {
        Url::parse(text).unwrap()
    }

    #[test]
    fn seeds_and_their_council_domain_are_in_scope() {
        let scope = Scope::new(&[url("https://democracy.york.gov.uk/")], &[], true);
        assert_eq!(scope.check(&url("https://democracy.york.gov.uk/x")), Ok(()));
        assert_eq!(
            scope.check(&url("https://www.york.gov.uk/elections")),
            Ok(())
        );
        assert_eq!(scope.check(&url("https://york.gov.uk/")), Ok(()));
        assert_eq!(
            scope.check(&url("https://www.leeds.gov.uk/")),
            Err(OutOfScope::Host)
        );
        assert_eq!(
            scope.check(&url("mailto:elections@york.gov.uk")),
            Err(OutOfScope::Scheme)
        );
    }

    #[test]
    fn shared_platforms_are_scoped_to_the_exact_host() {
        let seeds = [url("https://hackney.moderngov.co.uk/")];
        let scope = Scope::new(&seeds, &["*.hackney.test".into()], true);
        assert_eq!(
            scope.check(&url("https://hackney.moderngov.co.uk/a")),
            Ok(())
        );
        assert_eq!(
            scope.check(&url("https://camden.moderngov.co.uk/a")),
            Err(OutOfScope::Host)
        );
        assert_eq!(scope.check(&url("http://www.hackney.test/a")), Ok(()));
    }

    #[test]
    fn internal_addresses_only_when_seeded() {
        let seeded = Scope::new(&[url("http://127.0.0.1:8080/")], &[], true);
        assert_eq!(seeded.check(&url("http://127.0.0.1:8080/a")), Ok(()));
        assert_eq!(
            seeded.check(&url("http://127.0.0.1:9090/a")),
            Err(OutOfScope::Internal)
        );
        assert_eq!(
            seeded.check(&url("http://169.254.169.254/latest")),
            Err(OutOfScope::Internal)
        );
        let strict = Scope::new(&[url("http://127.0.0.1:8080/")], &[], false);
        assert_eq!(
            strict.check(&url("http://127.0.0.1:8080/a")),
            Err(OutOfScope::Internal)
        );
        assert!(strict.internal_ok_hosts().is_empty());
        assert_eq!(seeded.internal_ok_hosts(), vec!["127.0.0.1".to_string()]);
    }

    #[test]
    fn internal_ranges() {
        for internal in [
            "10.1.2.3",
            "192.168.0.1",
            "172.16.5.4",
            "100.64.0.1",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "0.0.0.0",
        ] {
            assert!(is_internal(internal.parse().unwrap()), "{internal}");
        }
        for public in ["81.2.69.160", "2a00:1450::1", "172.32.0.1"] {
            assert!(!is_internal(public.parse().unwrap()), "{public}");
        }
    }
}
