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

/// Copies the committed release folders `testdata/release/{a,b}` under
/// `root`, gunzipping what is stored gzipped (the ISO and the 36 MiB USB
/// image), so they are the folders the build wrote: (a, b).
pub fn unpack_release(root: &std::path::Path) -> (std::path::PathBuf, std::path::PathBuf) {
    use std::io::Read;
    let from = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/release");
    let _ = std::fs::remove_dir_all(root);
    for side in ["a", "b"] {
        let to = root.join(side);
        std::fs::create_dir_all(&to).expect("release dir");
        for e in std::fs::read_dir(from.join(side)).expect("testdata/release") {
            let p = e.expect("entry").path();
            let name = p.file_name().and_then(|n| n.to_str()).expect("name");
            match name.strip_suffix(".gz") {
                Some(raw) => {
                    let mut out = Vec::new();
                    flate2::read::GzDecoder::new(std::fs::File::open(&p).expect("open"))
                        .read_to_end(&mut out)
                        .expect("gunzip");
                    std::fs::write(to.join(raw), out).expect("write");
                }
                None => {
                    std::fs::copy(&p, to.join(name)).expect("copy");
                }
            }
        }
    }
    (root.join("a"), root.join("b"))
}
