//! An IP address or network as admins write it in an IP block (`192.0.2.7`,
//! `192.0.2.0/24`, `2001:db8::/32`), normalised to its network (host bits cleared),
//! and whether it contains an address. The database matches with `cidr >>= inet`;
//! this type validates input before it reaches SQL and lets the per-process
//! `no_access` list match without a query.
//! Spec: <https://docs.joinmastodon.org/methods/admin/ip_blocks/>.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// A network: an address with its host bits cleared and a prefix length.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IpRange {
    network: IpAddr,
    prefix: u8,
}

impl IpRange {
    /// Parses `address` or `address/prefix` (a lone address is the /32 or /128
    /// network of itself). `None` for anything else, including a prefix longer than
    /// the address.
    pub fn parse(text: &str) -> Option<IpRange> {
        let text = text.trim();
        let (address, prefix) = match text.split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (text, None),
        };
        let address: IpAddr = address.parse().ok()?;
        let bits = bit_length(address);
        let prefix = match prefix {
            Some(prefix) if prefix.bytes().all(|b| b.is_ascii_digit()) && !prefix.is_empty() => {
                prefix.parse::<u8>().ok().filter(|p| *p <= bits)?
            }
            Some(_) => return None,
            None => bits,
        };
        Some(IpRange {
            network: masked(address, prefix),
            prefix,
        })
    }

    /// Whether `address` lies in this network. An IPv4-mapped IPv6 address
    /// (`::ffff:192.0.2.7`) counts as the IPv4 address it maps.
    pub fn contains(&self, address: IpAddr) -> bool {
        let address = address.to_canonical();
        bit_length(address) == bit_length(self.network)
            && masked(address, self.prefix) == self.network
    }
}

/// `192.0.2.0/24`: the form Mastodon renders a block's `ip` in, and PostgreSQL accepts.
impl fmt::Display for IpRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.network, self.prefix)
    }
}

fn bit_length(address: IpAddr) -> u8 {
    match address {
        IpAddr::V4(_) => 32,
        IpAddr::V6(_) => 128,
    }
}

/// `address` with every bit after the first `prefix` cleared.
fn masked(address: IpAddr, prefix: u8) -> IpAddr {
    match address {
        IpAddr::V4(v4) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0);
            IpAddr::V4(Ipv4Addr::from(u32::from(v4) & mask))
        }
        IpAddr::V6(v6) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0);
            IpAddr::V6(Ipv6Addr::from(u128::from(v6) & mask))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("test address")
    }

    #[test]
    fn a_lone_address_is_its_own_network() {
        let range = IpRange::parse("192.0.2.7").expect("parses");
        assert_eq!(range.to_string(), "192.0.2.7/32");
        assert!(range.contains(ip("192.0.2.7")));
        assert!(!range.contains(ip("192.0.2.8")));
    }

    #[test]
    fn host_bits_are_cleared_and_the_network_contains_its_addresses() {
        let range = IpRange::parse("192.0.2.77/24").expect("parses");
        assert_eq!(range.to_string(), "192.0.2.0/24");
        assert!(range.contains(ip("192.0.2.200")));
        assert!(range.contains(ip("::ffff:192.0.2.1")));
        assert!(!range.contains(ip("192.0.3.1")));
        assert!(!range.contains(ip("2001:db8::1")));
    }

    #[test]
    fn ipv6_networks_and_the_zero_prefix_work() {
        let range = IpRange::parse("2001:db8:1::5/48").expect("parses");
        assert_eq!(range.to_string(), "2001:db8:1::/48");
        assert!(range.contains(ip("2001:db8:1:ffff::1")));
        assert!(!range.contains(ip("2001:db8:2::1")));
        let everything = IpRange::parse("0.0.0.0/0").expect("parses");
        assert!(everything.contains(ip("203.0.113.9")));
    }

    #[test]
    fn malformed_ranges_are_refused() {
        for text in [
            "",
            "192.0.2.1/33",
            "2001:db8::/129",
            "192.0.2.1/",
            "192.0.2.1/+8",
            "192.0.2",
            "example.com",
            "192.0.2.1/24/8",
            "::1/-1",
        ] {
            assert_eq!(IpRange::parse(text), None, "{text}");
        }
    }
}
