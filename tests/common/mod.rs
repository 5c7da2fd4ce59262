//! Helpers shared by the integration tests: newc cpio and ustar writers,
//! enough to build small archives byte for byte without any tool.

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

/// A ustar archive of regular files, as `tar --format=ustar` writes one
/// (owner root, mode and mtime from each member), with its two end blocks.
pub fn ustar(members: &[Member]) -> Vec<u8> {
    let mut out = Vec::new();
    for m in members {
        let mut h = [0u8; 512];
        let mut put = |at: usize, v: &[u8]| h[at..at + v.len()].copy_from_slice(v);
        put(0, m.name.as_bytes());
        put(100, format!("{:07o}\0", m.mode & 0o7777).as_bytes());
        put(108, b"0000000\0");
        put(116, b"0000000\0");
        put(124, format!("{:011o}\0", m.data.len()).as_bytes());
        put(136, format!("{:011o}\0", m.mtime).as_bytes());
        put(148, b"        ");
        put(156, b"0");
        put(257, b"ustar\x0000");
        put(265, b"root");
        put(297, b"root");
        let sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
        h[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
        out.extend_from_slice(&h);
        out.extend_from_slice(m.data);
        out.resize(out.len().div_ceil(512) * 512, 0);
    }
    out.resize(out.len() + 1024, 0);
    out
}

/// `data` as one gzip member.
pub fn gzip(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).expect("in memory");
    e.finish().expect("in memory")
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
