//! NodeInfo: the server-metadata documents (software, protocols, usage, registrations)
//! that crawlers, clients and peers read, and the `/.well-known/nodeinfo` document that
//! links to them.
//!
//! One [`NodeInfo`] type reads and writes schema 2.0 and 2.1 (2.1 only adds
//! `software.repository` and `software.homepage`); [`NodeInfo::local`] builds Roost's
//! own. Roost serves 2.0 at [`NODEINFO_2_0_PATH`] and 2.1 at [`NODEINFO_2_1_PATH`].
//!
//! Spec: <https://nodeinfo.diaspora.software/protocol.html>,
//! <https://github.com/jhass/nodeinfo/tree/main/schemas>.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use url::Url;

use super::{join_segments, lenient, InvalidBaseUrl};

/// Link relation (in the well-known document) of a NodeInfo 2.0 document.
pub const NODEINFO_2_0_REL: &str = "http://nodeinfo.diaspora.software/ns/schema/2.0";
/// Link relation (in the well-known document) of a NodeInfo 2.1 document.
pub const NODEINFO_2_1_REL: &str = "http://nodeinfo.diaspora.software/ns/schema/2.1";
/// Where Roost serves its NodeInfo 2.0 document.
pub const NODEINFO_2_0_PATH: &str = "/nodeinfo/2.0";
/// Where Roost serves its NodeInfo 2.1 document.
pub const NODEINFO_2_1_PATH: &str = "/nodeinfo/2.1";

/// The `/.well-known/nodeinfo` document: links to the NodeInfo documents by schema.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeInfoLinks {
    /// One link per schema version served. Malformed entries are skipped.
    #[serde(default, deserialize_with = "lenient::valid_items")]
    pub links: Vec<NodeInfoLink>,
}

/// One link of [`NodeInfoLinks`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeInfoLink {
    /// The schema, e.g. [`NODEINFO_2_1_REL`].
    pub rel: String,
    /// Where that document is.
    pub href: Url,
}

impl NodeInfoLinks {
    /// Roost's well-known document: 2.0 and 2.1 under `base`.
    pub fn local(base: &Url) -> Result<NodeInfoLinks, InvalidBaseUrl> {
        let link = |rel: &str, path: &str| -> Result<NodeInfoLink, InvalidBaseUrl> {
            let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
            Ok(NodeInfoLink {
                rel: rel.to_owned(),
                href: join_segments(base, &segments)?,
            })
        };
        Ok(NodeInfoLinks {
            links: vec![
                link(NODEINFO_2_0_REL, NODEINFO_2_0_PATH)?,
                link(NODEINFO_2_1_REL, NODEINFO_2_1_PATH)?,
            ],
        })
    }

    /// The document to fetch: 2.1 if linked, else 2.0, else `None` (1.x is not read).
    /// Relations are compared ignoring a trailing `#`, which some servers add.
    pub fn preferred(&self) -> Option<&NodeInfoLink> {
        let find = |rel: &str| {
            self.links
                .iter()
                .find(|link| link.rel.trim_end_matches('#') == rel)
        };
        find(NODEINFO_2_1_REL).or_else(|| find(NODEINFO_2_0_REL))
    }
}

/// A NodeInfo 2.0 or 2.1 document. Missing optional parts read as empty.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeInfo {
    /// The schema version of this document.
    pub version: NodeInfoVersion,
    /// The server software.
    pub software: Software,
    /// Protocols spoken, e.g. `["activitypub"]`.
    #[serde(default, deserialize_with = "lenient::valid_items")]
    pub protocols: Vec<String>,
    /// Third-party services the server bridges to.
    #[serde(default, deserialize_with = "lenient::null_as_default")]
    pub services: Services,
    /// Whether anyone may sign up.
    #[serde(default, deserialize_with = "lenient::null_as_default")]
    pub open_registrations: bool,
    /// Usage statistics.
    #[serde(default, deserialize_with = "lenient::null_as_default")]
    pub usage: Usage,
    /// Free-form, software-specific metadata (`nodeName`, Roost's `upstream`…).
    #[serde(default, deserialize_with = "lenient::null_as_default")]
    pub metadata: Map<String, Value>,
}

impl NodeInfo {
    /// Roost's own document in schema `version`. For 2.0 the software's `repository`
    /// and `homepage` are left out, since that schema does not allow them.
    pub fn local(
        version: NodeInfoVersion,
        mut software: Software,
        open_registrations: bool,
        usage: Usage,
        metadata: Map<String, Value>,
    ) -> NodeInfo {
        if version == NodeInfoVersion::V2_0 {
            software.repository = None;
            software.homepage = None;
        }
        NodeInfo {
            version,
            software,
            protocols: vec!["activitypub".to_owned()],
            services: Services::default(),
            open_registrations,
            usage,
            metadata,
        }
    }
}

/// A NodeInfo schema version. Versions other than 2.0 and 2.1 parse as
/// [`NodeInfoVersion::Other`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub enum NodeInfoVersion {
    /// `2.0`.
    V2_0,
    /// `2.1`.
    V2_1,
    /// Any other version string, verbatim.
    Other(String),
}

impl From<String> for NodeInfoVersion {
    fn from(version: String) -> Self {
        match version.as_str() {
            "2.0" => NodeInfoVersion::V2_0,
            "2.1" => NodeInfoVersion::V2_1,
            _ => NodeInfoVersion::Other(version),
        }
    }
}

impl From<NodeInfoVersion> for String {
    fn from(version: NodeInfoVersion) -> Self {
        match version {
            NodeInfoVersion::V2_0 => "2.0".to_owned(),
            NodeInfoVersion::V2_1 => "2.1".to_owned(),
            NodeInfoVersion::Other(other) => other,
        }
    }
}

/// The server software described by a [`NodeInfo`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Software {
    /// Canonical software name, lowercase (`mastodon`, `akkoma`, `roost`).
    pub name: String,
    /// Its version string, free-form.
    #[serde(default, deserialize_with = "lenient::null_as_default")]
    pub version: String,
    /// Source repository (2.1 only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::first_valid")]
    pub repository: Option<Url>,
    /// Project homepage (2.1 only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::first_valid")]
    pub homepage: Option<Url>,
}

impl Software {
    /// This build of Roost: name `roost`, the crate version, and the crate's repository
    /// and homepage URLs when Cargo.toml sets valid ones.
    pub fn roost() -> Software {
        Software {
            name: "roost".to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
            repository: Url::parse(env!("CARGO_PKG_REPOSITORY")).ok(),
            homepage: Url::parse(env!("CARGO_PKG_HOMEPAGE")).ok(),
        }
    }
}

/// Third-party services a server can receive from and publish to.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Services {
    /// Services the server can receive from.
    #[serde(default, deserialize_with = "lenient::valid_items")]
    pub inbound: Vec<String>,
    /// Services the server can publish to.
    #[serde(default, deserialize_with = "lenient::valid_items")]
    pub outbound: Vec<String>,
}

/// Usage statistics of a [`NodeInfo`]. Counts that are absent or not non-negative
/// integers read as `None`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Usage {
    /// User counts.
    #[serde(default, deserialize_with = "lenient::null_as_default")]
    pub users: UserCounts,
    /// Number of posts made by local users.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::first_valid")]
    pub local_posts: Option<u64>,
    /// Number of comments made by local users (used by Lemmy and forums).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::first_valid")]
    pub local_comments: Option<u64>,
}

/// The `usage.users` object of a [`NodeInfo`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserCounts {
    /// Registered users.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::first_valid")]
    pub total: Option<u64>,
    /// Users active in the last month.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::first_valid")]
    pub active_month: Option<u64>,
    /// Users active in the last six months.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(deserialize_with = "lenient::first_valid")]
    pub active_halfyear: Option<u64>,
}

impl Usage {
    /// Full statistics, as Roost reports them.
    pub fn new(total: u64, active_month: u64, active_halfyear: u64, local_posts: u64) -> Usage {
        Usage {
            users: UserCounts {
                total: Some(total),
                active_month: Some(active_month),
                active_halfyear: Some(active_halfyear),
            },
            local_posts: Some(local_posts),
            local_comments: None,
        }
    }
}
