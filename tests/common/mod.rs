//! Helpers shared by the integration tests: a newc cpio writer, enough to
//! build small archives byte for byte without any tool.

#![allow(dead_code)]

pub struct Member<'a> {
    pub name: &'a str,
    pub ino: u32,
    pub mode: u32,
    pub nlink: u32,
    pub mtime: u32,
    pub data: &'a [u8],
}

pub fn file<'a>(name: &'a str, ino: u32, data: &'a [u8]) -> Member<'a> {
    Member {
        name,
        ino,
        mode: 0o100644,
        nlink: 1,
        mtime: 1_700_000_000,
        data,
    }
}

/// A newc archive, as `cpio -H newc` writes it.
pub fn newc(members: &[Member]) -> Vec<u8> {
    let mut out = Vec::new();
    let pad = |out: &mut Vec<u8>| {
        while !out.len().is_multiple_of(4) {
            out.push(0);
        }
    };
    let trailer = Member {
        name: "TRAILER!!!",
        ino: 0,
        mode: 0,
        nlink: 1,
        mtime: 0,
        data: b"",
    };
    for m in members.iter().chain(std::iter::once(&trailer)) {
        let header =
            format!(
            "070701{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}",
            m.ino, m.mode, 0, 0, m.nlink, m.mtime, m.data.len(), 0, 0, 0, 0, m.name.len() + 1, 0
        );
        out.extend_from_slice(header.as_bytes());
        out.extend_from_slice(m.name.as_bytes());
        out.push(0);
        pad(&mut out);
        out.extend_from_slice(m.data);
        pad(&mut out);
    }
    out
}
