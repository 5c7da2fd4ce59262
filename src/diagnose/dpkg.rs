//! The dpkg database (`var/lib/dpkg/status`): a different package set or
//! version explains everything those packages install, so it is reported as
//! package-level changes (`dpkg.<package>`: version → version) with cause
//! `package-version` and becomes the first group.
//!
//! Diagnosis stage (engine → report), on the raw bytes of both sides.

use std::collections::BTreeMap;

use super::PACKAGE_VERSION;
use crate::report::Change;

/// `true` for the addresses of a dpkg status file.
pub fn is_status(address: &str) -> bool {
    let path = address.rsplit("::").next().unwrap_or(address);
    let path = path.trim_start_matches("./").trim_start_matches('/');
    path == "var/lib/dpkg/status"
}

/// Package (with `:arch` when not `all`/native-less) → version, for installed stanzas.
pub fn packages(t: &[u8]) -> BTreeMap<String, String> {
    let s = String::from_utf8_lossy(t);
    let mut out = BTreeMap::new();
    for stanza in s.split("\n\n") {
        let (mut name, mut version, mut status) = (None, None, None);
        for line in stanza.lines() {
            if let Some(v) = line.strip_prefix("Package: ") {
                name = Some(v.trim());
            } else if let Some(v) = line.strip_prefix("Version: ") {
                version = Some(v.trim());
            } else if let Some(v) = line.strip_prefix("Status: ") {
                status = Some(v.trim());
            }
        }
        let installed = status.is_none_or(|s| s.ends_with(" installed"));
        if let (Some(n), true) = (name, installed) {
            out.insert(n.to_string(), version.unwrap_or("").to_string());
        }
    }
    out
}

/// Added, removed and version-changed packages.
pub fn compare(a: &[u8], b: &[u8]) -> Vec<Change> {
    let (pa, pb) = (packages(a), packages(b));
    let mut out = Vec::new();
    let mut push = |name: &str, va: Option<&String>, vb: Option<&String>| {
        out.push(Change {
            field: format!("dpkg.{name}"),
            a: va.cloned(),
            b: vb.cloned(),
            cause: Some(PACKAGE_VERSION.to_string()),
        });
    };
    for (n, v) in &pa {
        match pb.get(n) {
            Some(w) if w == v => {}
            other => push(n, Some(v), other),
        }
    }
    for (n, w) in &pb {
        if !pa.contains_key(n) {
            push(n, None, Some(w));
        }
    }
    out
}
