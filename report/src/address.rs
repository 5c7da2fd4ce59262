//! Addresses: the one way to name an entry at any nesting level, the path
//! inside each container joined by `::` (`live/filesystem.squashfs::etc/motd`,
//! `""` for the images themselves). Every stage joins and splits addresses
//! through [`Address`], so the separator and its rules live in one place.

/// The separator between container levels.
pub const SEP: &str = "::";

/// A borrowed view of an address, with the joins and splits every stage needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Address<'a>(&'a str);

impl<'a> Address<'a> {
    pub fn new(s: &'a str) -> Address<'a> {
        Address(s)
    }

    pub fn as_str(self) -> &'a str {
        self.0
    }

    /// The images themselves.
    pub fn is_root(self) -> bool {
        self.0.is_empty()
    }

    /// The address of `path`, a member of the container at this address.
    pub fn child(self, path: &str) -> String {
        if self.0.is_empty() {
            path.to_string()
        } else {
            format!("{}{SEP}{path}", self.0)
        }
    }

    /// The path inside the innermost container (the whole address at the
    /// outermost level).
    pub fn inner_path(self) -> &'a str {
        self.0.rsplit(SEP).next().unwrap_or(self.0)
    }

    /// The address of the container holding this entry (`""` for the
    /// outermost level's members).
    pub fn container(self) -> &'a str {
        self.0.rfind(SEP).map_or("", |i| &self.0[..i])
    }

    /// The address of `path`, another member of the same container (a file
    /// named by a checksum list next to it).
    pub fn sibling(self, path: &str) -> String {
        Address(self.container()).child(path)
    }

    /// The last component of the inner path, without a trailing `/`: what a
    /// tree row or a file name shows.
    pub fn name(self) -> &'a str {
        let inner = self.inner_path();
        inner
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .filter(|s| !s.is_empty())
            .unwrap_or(inner)
    }

    /// Each container level's path, outermost first.
    pub fn levels(self) -> impl Iterator<Item = &'a str> {
        self.0.split(SEP)
    }

    /// The path of this entry inside `container`, which the caller knows
    /// holds it directly (its parent node in a report tree): unlike
    /// [`Address::inner_path`] and [`Address::container`], which split at
    /// the last `::`, right for a member whose own name holds `::` (a Perl
    /// man page, `man3/Locale::gettext.3pm.gz`).
    pub fn under(self, container: &str) -> Option<&'a str> {
        if container.is_empty() {
            Some(self.0)
        } else {
            self.0.strip_prefix(container)?.strip_prefix(SEP)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_and_splits() {
        let a = Address::new("live/fs.squashfs::usr/share/doc/");
        assert_eq!(a.inner_path(), "usr/share/doc/");
        assert_eq!(a.container(), "live/fs.squashfs");
        assert_eq!(a.name(), "doc");
        assert_eq!(a.sibling("./etc/x"), "live/fs.squashfs::./etc/x");
        assert_eq!(Address::new("").child("md5sum.txt"), "md5sum.txt");
        assert_eq!(Address::new("md5sum.txt").sibling("a"), "a");
        assert_eq!(
            a.levels().collect::<Vec<_>>(),
            ["live/fs.squashfs", "usr/share/doc/"]
        );
        assert!(Address::new("").is_root());
    }

    #[test]
    fn under_a_known_container_names_may_hold_the_separator() {
        let a = Address::new("x.deb::data.tar.xz::./man3/Media::Convert.3pm.gz");
        assert_eq!(
            a.under("x.deb::data.tar.xz"),
            Some("./man3/Media::Convert.3pm.gz")
        );
        assert_eq!(a.under("x.deb::data.tar"), None);
        assert_eq!(
            a.under("x.deb"),
            Some("data.tar.xz::./man3/Media::Convert.3pm.gz")
        );
        assert_eq!(Address::new("a::b").under(""), Some("a::b"));
        // What the address alone says: the last `::` splits.
        assert_eq!(a.inner_path(), "Convert.3pm.gz");
    }
}
