//! FAT12/16/32 reader: the EFI boot image inside a live ISO (`efi.img`) and
//! the FAT partition of a live USB image.
//!
//! Part of formats/ (bytes → formats → engine → report): decodes the boot
//! sector (BPB) into fields, walks the directory tree in on-disk order (order
//! differences are a classic reproducibility bug: two builds that copy files
//! in a different order), and turns each file's cluster chain into
//! `Data::Extents` of the image, without copying anything. Every chain and
//! directory walk is bounded and cycle-checked, as the image is untrusted.

use std::collections::HashSet;

use crate::bytes;
use crate::model::{days_from_civil, utf16_name, Extent, Owner, Region, Role, Value};
use crate::{
    Blob, Container, Data, Entry, Error, ErrorKind, Field, Format, Kind, Limits, Result, Time,
};

const F: Format = Format::Fat;
/// Directory nesting followed at most.
const MAX_DEPTH: usize = 128;
/// The spec caps a directory at 65536 entries of 32 bytes.
const MAX_DIR_BYTES: u64 = 65536 * 32;

/// True when `b` starts with a plausible FAT boot sector.
pub fn looks_like_fat(b: &[u8]) -> bool {
    let jump = matches!(b, [0xeb, _, 0x90, ..] | [0xe9, ..]);
    let Some(s) = b.get(..512) else {
        return false;
    };
    let bps = le16(s, 11);
    let spc = s[13];
    let reserved = le16(s, 14);
    let fats = s[16];
    let media = s[21];
    let total = u32::from(le16(s, 19)).max(le32(s, 32));
    jump && matches!(bps, 512 | 1024 | 2048 | 4096)
        && spc.is_power_of_two()
        && reserved >= 1
        && (1..=4).contains(&fats)
        && (media == 0xf0 || media >= 0xf8)
        && total != 0
        && s[510..512] == [0x55, 0xaa]
}

/// FAT width, decided by the spec's cluster-count rule, except that a zero
/// 16-bit FAT size means FAT32 whatever the count (mkfs.fat -F 32 on a small
/// image; Linux mounts it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FatType {
    Fat12,
    Fat16,
    Fat32,
}

impl FatType {
    fn name(self) -> &'static str {
        match self {
            FatType::Fat12 => "FAT12",
            FatType::Fat16 => "FAT16",
            FatType::Fat32 => "FAT32",
        }
    }

    /// Values at or above this end a chain.
    fn eoc(self) -> u32 {
        match self {
            FatType::Fat12 => 0xff8,
            FatType::Fat16 => 0xfff8,
            FatType::Fat32 => 0x0fff_fff8,
        }
    }

    fn bad(self) -> u32 {
        self.eoc() - 1
    }
}

/// The decoded BIOS parameter block and the layout derived from it.
struct Volume {
    kind: FatType,
    bps: u64,
    cluster_size: u64,
    /// Byte offset of the first FAT copy, its length, and the copy count.
    fat_offset: u64,
    fat_bytes: u64,
    fats: u64,
    /// Byte offset of the active FAT (FAT32 may disable mirroring).
    active_fat: u64,
    root_offset: u64,
    root_bytes: u64,
    root_cluster: u32,
    data_offset: u64,
    /// Highest valid cluster number (clusters are numbered from 2).
    max_cluster: u32,
}

/// Lists the members of a FAT image.
pub fn open(blob: &Blob, limits: &Limits) -> Result<Container> {
    let b = blob.bytes();
    let Some(s) = b.get(..512) else {
        return Err(Error::truncated(F, 0, 512, blob.len()));
    };
    let mut c = Container::new(F, blob.clone());
    let v = read_bpb(s, b.len() as u64, &mut c)?;
    regions(&v, s, b, &mut c);
    let mut w = Walker {
        v: &v,
        b,
        budget: u64::from(v.max_cluster)
            .saturating_mul(2)
            .saturating_add(1 << 16),
        dirs: HashSet::new(),
        limits,
    };
    let root = match v.kind {
        FatType::Fat32 => {
            w.dirs.insert(v.root_cluster);
            match w.chain(v.root_cluster, None, &mut c) {
                Some(ext) => ext,
                None => return Ok(c),
            }
        }
        _ => vec![Extent {
            offset: v.root_offset,
            len: v.root_bytes,
        }],
    };
    for e in &root {
        c.regions
            .push(Region::structure(e.offset, e.len, "root_directory"));
    }
    w.walk_dir(&root, b"", 0, &mut c)?;
    Ok(c)
}

fn read_bpb(s: &[u8], total_len: u64, c: &mut Container) -> Result<Volume> {
    let bps = u64::from(le16(s, 11));
    let spc = u64::from(s[13]);
    let reserved = u64::from(le16(s, 14));
    let fats = u64::from(s[16]);
    let root_entries = u64::from(le16(s, 17));
    let total16 = le16(s, 19);
    let media = s[21];
    let fat16 = le16(s, 22);
    let total = if total16 != 0 {
        u64::from(total16)
    } else {
        u64::from(le32(s, 32))
    };
    if !matches!(bps, 512 | 1024 | 2048 | 4096) {
        return Err(Error::invalid(F, 11, format!("bytes per sector {bps}")));
    }
    if !spc.is_power_of_two() || reserved == 0 || fats == 0 {
        return Err(Error::invalid(F, 13, "BIOS parameter block"));
    }
    let kind0 = if fat16 == 0 {
        FatType::Fat32
    } else {
        FatType::Fat16
    };
    let fat_size = if kind0 == FatType::Fat32 {
        u64::from(le32(s, 36))
    } else {
        u64::from(fat16)
    };
    let root_sectors = (root_entries * 32).div_ceil(bps);
    let meta = reserved + fats * fat_size + root_sectors;
    let data_sectors = total.saturating_sub(meta);
    let clusters = data_sectors / spc;
    let kind = match kind0 {
        FatType::Fat32 => FatType::Fat32,
        _ if clusters < 4085 => FatType::Fat12,
        _ => FatType::Fat16,
    };

    let oem = latin(s.get(3..11).unwrap_or(&[]));
    // The boot code after the BPB (FAT32's is longer), up to the signature.
    let code_at = if kind == FatType::Fat32 { 90 } else { 62 };
    if let Some(code) = s.get(code_at..510) {
        c.field(
            "boot.boot_code",
            crate::partition::boot_code(code, Some(&oem)),
            Role::Content,
        );
    }
    c.field("boot.oem_name", oem, Role::Version);
    c.field("boot.bytes_per_sector", bps, Role::Content);
    c.field("boot.sectors_per_cluster", spc, Role::Content);
    c.field("boot.reserved_sectors", reserved, Role::Content);
    c.field("boot.fat_count", fats, Role::Content);
    c.field("boot.root_entries", root_entries, Role::Content);
    c.field("boot.total_sectors", total, Role::Structure);
    c.field("boot.media", Value::hex(media), Role::Content);
    c.field("boot.fat_size", fat_size, Role::Structure);
    c.field("boot.sectors_per_track", le16(s, 24), Role::Content);
    c.field("boot.heads", le16(s, 26), Role::Content);
    c.field("boot.hidden_sectors", le32(s, 28), Role::Location);
    // The extended BPB sits after the FAT32-only fields on FAT32.
    let ext = if kind == FatType::Fat32 { 64 } else { 36 };
    let mut root_cluster = 0;
    let mut active = 0;
    if kind == FatType::Fat32 {
        let flags = le16(s, 40);
        root_cluster = le32(s, 44);
        c.field("boot.ext_flags", Value::hex(flags), Role::Content);
        c.field("boot.fs_version", le16(s, 42), Role::Content);
        c.field("boot.root_cluster", root_cluster, Role::Location);
        c.field("boot.fsinfo_sector", le16(s, 48), Role::Location);
        c.field("boot.backup_boot_sector", le16(s, 50), Role::Location);
        if flags & 0x80 != 0 {
            active = u64::from(flags & 0x0f);
        }
    }
    c.field("boot.drive_number", Value::hex(s[ext]), Role::Content);
    let sig = s[ext + 2];
    c.field("boot.boot_signature", Value::hex(sig), Role::Content);
    if sig == 0x29 || sig == 0x28 {
        let serial = le32(s, ext + 3);
        c.field(
            "boot.volume_serial",
            Value::Id(format!("{:04X}-{:04X}", serial >> 16, serial & 0xffff)),
            Role::Identifier,
        );
    }
    if sig == 0x29 {
        c.field(
            "boot.volume_label",
            latin(s.get(ext + 7..ext + 18).unwrap_or(&[])).trim_end(),
            Role::Content,
        );
        c.field(
            "boot.fs_type",
            latin(s.get(ext + 18..ext + 26).unwrap_or(&[])).trim_end(),
            Role::Content,
        );
    }
    c.field("boot.cluster_count", clusters, Role::Structure);
    c.field("fat.type", kind.name(), Role::Content);
    if kind == FatType::Fat32 && clusters < 65525 {
        // Not an error: Linux and mkfs.fat accept it, but say it.
        c.field(
            "fat.note",
            "FAT32 with fewer than 65525 clusters",
            Role::Content,
        );
    }

    let over = || Error::invalid(F, 0, "layout overflows");
    let fat_offset = reserved.checked_mul(bps).ok_or_else(over)?;
    let fat_bytes = fat_size.checked_mul(bps).ok_or_else(over)?;
    let root_offset = fats
        .checked_mul(fat_bytes)
        .and_then(|x| x.checked_add(fat_offset))
        .ok_or_else(over)?;
    let root_bytes = root_entries * 32;
    let data_offset = root_sectors
        .checked_mul(bps)
        .and_then(|x| x.checked_add(root_offset))
        .ok_or_else(over)?;
    let cluster_size = spc * bps;
    // Valid clusters: those the BPB counts, that the FAT has entries for,
    // and that start inside the bytes given.
    let bits = match kind {
        FatType::Fat12 => 12,
        FatType::Fat16 => 16,
        FatType::Fat32 => 32,
    };
    let in_fat = (fat_bytes.saturating_mul(8) / bits).saturating_sub(1);
    let in_blob = total_len.saturating_sub(data_offset) / cluster_size + 1;
    let max_cluster = (clusters + 1).min(in_fat).min(in_blob).min(0x0fff_fff5);
    if clusters + 1 > in_blob {
        c.errors.push(Error::truncated(
            F,
            data_offset,
            data_offset.saturating_add(clusters.saturating_mul(cluster_size)),
            total_len,
        ));
    }
    Ok(Volume {
        kind,
        bps,
        cluster_size,
        fat_offset,
        fat_bytes,
        fats,
        active_fat: fat_offset.saturating_add(active.saturating_mul(fat_bytes)),
        root_offset,
        root_bytes,
        root_cluster,
        data_offset,
        max_cluster: u32::try_from(max_cluster).unwrap_or(0),
    })
}

/// The fixed structures: boot sector, FSInfo, backup boot sector, FATs.
fn regions(v: &Volume, s: &[u8], b: &[u8], c: &mut Container) {
    c.regions.push(Region::structure(0, v.bps, "boot_sector"));
    if v.kind == FatType::Fat32 {
        let reserved = v.fat_offset / v.bps;
        let fsinfo = u64::from(le16(s, 48));
        if fsinfo != 0 && fsinfo < reserved {
            let at = fsinfo * v.bps;
            c.regions.push(Region::structure(at, v.bps, "fsinfo"));
            fsinfo_fields(b, at, c);
        }
        let backup = u64::from(le16(s, 50));
        if backup != 0 && backup < reserved {
            let at = backup * v.bps;
            c.regions
                .push(Region::structure(at, v.bps, "backup_boot_sector"));
            let same = b.get(at as usize..(at + v.bps.min(512)) as usize)
                == s.get(..v.bps.min(512) as usize);
            c.field("boot.backup_matches", same, Role::Structure);
        }
    }
    for i in 0..v.fats {
        c.regions.push(Region::structure(
            v.fat_offset.saturating_add(i.saturating_mul(v.fat_bytes)),
            v.fat_bytes,
            format!("fat{}", i + 1),
        ));
    }
}

fn fsinfo_fields(b: &[u8], at: u64, c: &mut Container) {
    let Some(fs) = usize::try_from(at)
        .ok()
        .and_then(|a| b.get(a..a.checked_add(512)?))
    else {
        return;
    };
    if le32(fs, 0) != 0x4161_5252 || le32(fs, 484) != 0x6141_7272 {
        c.errors.push(Error::new(F, at, ErrorKind::BadMagic));
        return;
    }
    let show = |n: u32| {
        if n == u32::MAX {
            "unknown".to_string()
        } else {
            n.to_string()
        }
    };
    c.field("fsinfo.free_count", show(le32(fs, 488)), Role::Structure);
    c.field("fsinfo.next_free", show(le32(fs, 492)), Role::Location);
}

struct Walker<'a> {
    v: &'a Volume,
    b: &'a [u8],
    /// FAT lookups left: a real volume needs one per used cluster.
    budget: u64,
    /// First clusters of the directories entered, against cycles.
    dirs: HashSet<u32>,
    limits: &'a Limits,
}

impl Walker<'_> {
    fn next(&self, n: u32) -> Option<u32> {
        let fat = self.v.active_fat;
        let n64 = u64::from(n);
        let (off, val) = match self.v.kind {
            FatType::Fat12 => {
                let at = fat.checked_add(n64 + n64 / 2)?;
                let raw = u32::from(bytes::le16(self.b, usize::try_from(at).ok()?)?);
                (at, if n & 1 == 1 { raw >> 4 } else { raw & 0xfff })
            }
            FatType::Fat16 => {
                let at = fat.checked_add(n64 * 2)?;
                (
                    at,
                    u32::from(bytes::le16(self.b, usize::try_from(at).ok()?)?),
                )
            }
            FatType::Fat32 => {
                let at = fat.checked_add(n64 * 4)?;
                (
                    at,
                    bytes::le32(self.b, usize::try_from(at).ok()?)? & 0x0fff_ffff,
                )
            }
        };
        // Entries beyond the FAT belong to something else.
        (off < self.v.active_fat.saturating_add(self.v.fat_bytes)).then_some(val)
    }

    fn cluster_offset(&self, n: u32) -> u64 {
        self.v.data_offset + u64::from(n - 2) * self.v.cluster_size
    }

    /// Follows the chain from `start` into merged extents. `want` bounds it
    /// to a file's clusters; directories (None) run to the end of chain.
    /// Problems are recorded and end the chain early.
    fn chain(&mut self, start: u32, want: Option<u64>, c: &mut Container) -> Option<Vec<Extent>> {
        let v = self.v;
        let mut out: Vec<Extent> = Vec::new();
        let mut seen = HashSet::new();
        let mut n = start;
        let mut got = 0u64;
        let cap = want.unwrap_or(MAX_DIR_BYTES.div_ceil(v.cluster_size));
        loop {
            if n < 2 || n > v.max_cluster {
                c.errors.push(Error::invalid(
                    F,
                    out.last().map(|e| e.offset).unwrap_or(0),
                    format!("cluster {n} out of range in chain from {start}"),
                ));
                return (!out.is_empty()).then_some(out);
            }
            if !seen.insert(n) {
                c.errors.push(Error::new(
                    F,
                    self.cluster_offset(n),
                    ErrorKind::Loop(format!("chain from cluster {start} revisits {n}")),
                ));
                return Some(out);
            }
            let off = self.cluster_offset(n);
            match out.last_mut() {
                Some(e) if e.offset + e.len == off => e.len += v.cluster_size,
                _ => out.push(Extent {
                    offset: off,
                    len: v.cluster_size,
                }),
            }
            got += 1;
            if self.budget == 0 {
                c.errors.push(Error::limit(
                    F,
                    off,
                    "cluster chains longer than the volume",
                ));
                return Some(out);
            }
            self.budget -= 1;
            let Some(next) = self.next(n) else {
                c.errors.push(Error::invalid(
                    F,
                    v.active_fat,
                    format!("no FAT entry for cluster {n}"),
                ));
                return Some(out);
            };
            if next >= v.kind.eoc() {
                if want.is_some_and(|w| got < w) {
                    c.errors.push(Error::invalid(
                        F,
                        off,
                        format!("chain from cluster {start} shorter than the file size"),
                    ));
                }
                return Some(out);
            }
            if got >= cap {
                let what = if want.is_some() {
                    "chain longer than the file size"
                } else {
                    "directory larger than 65536 entries"
                };
                c.errors.push(Error::invalid(
                    F,
                    off,
                    format!("{what} (from cluster {start})"),
                ));
                return Some(out);
            }
            if next == v.kind.bad() || next == 0 {
                c.errors.push(Error::invalid(
                    F,
                    off,
                    format!("chain from cluster {start} hits a free or bad cluster after {n}"),
                ));
                return Some(out);
            }
            n = next;
        }
    }

    fn walk_dir(
        &mut self,
        ext: &[Extent],
        prefix: &[u8],
        depth: usize,
        c: &mut Container,
    ) -> Result<()> {
        let mut lfn = Lfn::default();
        let records = ext
            .iter()
            .flat_map(|e| (0..e.len / 32).map(move |i| e.offset + i * 32));
        for at in records {
            let Some(r) = usize::try_from(at)
                .ok()
                .and_then(|a| self.b.get(a..a.checked_add(32)?))
            else {
                c.errors
                    .push(Error::truncated(F, at, at + 32, self.b.len() as u64));
                return Ok(());
            };
            let first = r[0];
            let attr = r[11];
            if first == 0 {
                break;
            }
            if first == 0xe5 {
                lfn = Lfn::default();
                continue;
            }
            if attr & 0x3f == 0x0f {
                lfn.add(r);
                continue;
            }
            let pending = std::mem::take(&mut lfn);
            if attr & 0x08 != 0 {
                if depth == 0 && attr & 0x10 == 0 {
                    c.field(
                        "root.volume_label",
                        latin(&r[..11]).trim_end(),
                        Role::Content,
                    );
                }
                continue;
            }
            let raw: &[u8; 11] = match r[..11].try_into() {
                Ok(x) => x,
                Err(_) => continue,
            };
            if raw == b".          " || raw == b"..         " {
                continue;
            }
            let short = short_name(raw, 0);
            // The name shown when no long name is: the short one, lowercased
            // where the NT flags say so.
            let cased = || match r[12] & 0x18 {
                0 => short.clone().into_bytes(),
                nt => short_name(raw, nt).into_bytes(),
            };
            let mut name = match pending.name(raw) {
                Ok(Some(n)) => n,
                Ok(None) => cased(),
                Err(why) => {
                    c.errors.push(Error::invalid(F, at, why));
                    cased()
                }
            };
            for c in &mut name {
                if *c == b'/' || *c == 0 {
                    *c = b'_';
                }
            }
            let path = if prefix.is_empty() {
                name
            } else {
                [prefix, b"/", &name].concat()
            };
            self.entry(r, at, path, short, depth, c)?;
        }
        Ok(())
    }

    fn entry(
        &mut self,
        r: &[u8],
        at: u64,
        stored: Vec<u8>,
        short: String,
        depth: usize,
        c: &mut Container,
    ) -> Result<()> {
        let attr = r[11];
        let hi = if self.v.kind == FatType::Fat32 {
            u32::from(le16(r, 20))
        } else {
            0
        };
        let cluster = (hi << 16) | u32::from(le16(r, 26));
        let size = u64::from(le32(r, 28));
        let is_dir = attr & 0x10 != 0;
        let mut e = Entry::stored(&stored, if is_dir { Kind::Dir } else { Kind::File });
        let path = e.path.clone();
        e.meta.mtime = fat_time(le16(r, 24), le16(r, 22), 0);
        e.meta.ctime = fat_time(le16(r, 16), le16(r, 14), r[13]);
        e.meta.atime = fat_time(le16(r, 18), 0, 0);
        e.meta.extra = vec![
            Field::new("fat.attributes", Value::hex(attr), Role::Content),
            Field::new("fat.short_name", short, Role::Content),
            Field::new("fat.first_cluster", cluster, Role::Location),
        ];
        let idx = c.entries.len();
        if is_dir {
            c.push(e, self.limits)?;
            if depth + 1 >= MAX_DEPTH {
                c.errors.push(Error::limit(
                    F,
                    at,
                    format!("directories nested deeper than {MAX_DEPTH}"),
                ));
                return Ok(());
            }
            // A cluster of 0 in a subdirectory means the root: a cycle.
            let first = if cluster == 0 && self.v.kind == FatType::Fat32 {
                self.v.root_cluster
            } else {
                cluster
            };
            if !self.dirs.insert(first) {
                c.errors.push(Error::new(
                    F,
                    at,
                    ErrorKind::Loop(format!("directory {path} reuses cluster {first}")),
                ));
                return Ok(());
            }
            let Some(ext) = self.chain(first, None, c) else {
                return Ok(());
            };
            for x in &ext {
                c.regions.push(Region::structure(
                    x.offset,
                    x.len,
                    format!("directory:{path}"),
                ));
            }
            return self.walk_dir(&ext, &stored, depth + 1, c);
        }
        e.size = size;
        let want = size.div_ceil(self.v.cluster_size);
        let mut ext = if want == 0 {
            if cluster != 0 {
                c.errors.push(Error::invalid(
                    F,
                    at,
                    format!("empty file {path} owns cluster {cluster}"),
                ));
            }
            Vec::new()
        } else {
            self.chain(cluster, Some(want), c).unwrap_or_default()
        };
        for x in &ext {
            c.regions.push(Region {
                offset: x.offset,
                len: x.len,
                owner: Owner::Entry(idx),
            });
        }
        // The entry's data stops at its size; the rest of the last cluster
        // is slack (mapped to the entry in `regions` above).
        let mut left = size;
        ext.retain_mut(|x| {
            let keep = left > 0;
            x.len = x.len.min(left);
            left -= x.len;
            keep
        });
        e.data = Data::Extents(ext);
        c.push(e, self.limits)
    }
}

/// Long-name entries collected before the short entry they belong to.
#[derive(Default)]
struct Lfn {
    /// UTF-16 pieces indexed by sequence number - 1.
    parts: Vec<[u16; 13]>,
    checksum: u8,
    /// The sequence number expected next (counts down to 1); 0 = none open.
    expect: u8,
    broken: bool,
}

impl Lfn {
    fn add(&mut self, r: &[u8]) {
        let ord = r[0];
        let seq = ord & 0x1f;
        if ord & 0x40 != 0 {
            *self = Lfn {
                parts: vec![[0xffff; 13]; usize::from(seq)],
                checksum: r[13],
                expect: seq,
                broken: seq == 0,
            };
        } else if self.expect == 0 || seq != self.expect || r[13] != self.checksum {
            self.broken = true;
        }
        if self.broken {
            return;
        }
        let mut u = [0u16; 13];
        for (k, at) in [1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30]
            .iter()
            .enumerate()
        {
            u[k] = le16(r, *at);
        }
        if let Some(p) = self.parts.get_mut(usize::from(seq) - 1) {
            *p = u;
        }
        self.expect = seq - 1;
    }

    /// The long name for the short entry `raw`, if a complete one precedes
    /// it, as name bytes (see [`utf16_name`]).
    fn name(&self, raw: &[u8; 11]) -> std::result::Result<Option<Vec<u8>>, String> {
        if self.parts.is_empty() {
            return Ok(None);
        }
        if self.broken || self.expect != 0 {
            return Err("incomplete long file name sequence".into());
        }
        let sum = raw
            .iter()
            .fold(0u8, |s, &x| s.rotate_right(1).wrapping_add(x));
        if sum != self.checksum {
            return Err(format!(
                "long file name checksum 0x{:02x} does not match short name (0x{sum:02x})",
                self.checksum
            ));
        }
        let units = self
            .parts
            .iter()
            .flatten()
            .copied()
            .take_while(|&u| u != 0 && u != 0xffff);
        let s = utf16_name(units);
        if s.is_empty() {
            return Err("empty long file name".into());
        }
        Ok(Some(s))
    }
}

/// `NAME.EXT` from the 11-byte short name, lowercased per the NT case flags
/// (0x08 base, 0x10 extension) that Windows and mtools write instead of a
/// long name for all-lowercase 8.3 names.
fn short_name(raw: &[u8; 11], nt: u8) -> String {
    // Written into one string: a directory of a hostile volume holds
    // thousands of these. Trailing spaces are trimmed as bytes, which is
    // the same as trimming the decoded text: only 0x20 decodes to a space.
    let trimmed = |v: &[u8]| v.len() - v.iter().rev().take_while(|&&c| c == b' ').count();
    let (base, ext) = (&raw[..8], &raw[8..]);
    let (base, ext) = (&base[..trimmed(base)], &ext[..trimmed(ext)]);
    let mut out = String::with_capacity(base.len() + ext.len() + 1);
    let push = |out: &mut String, v: &[u8], lower: bool, is_base: bool| {
        // Plain ASCII, as nearly every name is: copied, then lowercased
        // in place (the same as `to_lowercase` for ASCII).
        if v.is_ascii() && !(is_base && v.first() == Some(&0x05)) {
            let start = out.len();
            out.push_str(std::str::from_utf8(v).unwrap_or_default());
            if lower {
                out[start..].make_ascii_lowercase();
            }
            return;
        }
        for (i, &x) in v.iter().enumerate() {
            // A name starting with 0xe5 is stored with 0x05 there: 0xe5
            // first marks a deleted entry.
            let x = if is_base && i == 0 && x == 0x05 {
                0xe5
            } else {
                x
            };
            let c = cp850_char(x);
            if lower {
                out.extend(c.to_lowercase());
            } else {
                out.push(c);
            }
        }
    };
    push(&mut out, base, nt & 0x08 != 0, true);
    if !ext.is_empty() {
        out.push('.');
        push(&mut out, ext, nt & 0x10 != 0, false);
    }
    out
}

/// Code page 850, mkfs.fat's and mtools' default for short names.
const CP850_HIGH: [char; 128] = [
    'Ç', 'ü', 'é', 'â', 'ä', 'à', 'å', 'ç', 'ê', 'ë', 'è', 'ï', 'î', 'ì', 'Ä', 'Å', 'É', 'æ', 'Æ',
    'ô', 'ö', 'ò', 'û', 'ù', 'ÿ', 'Ö', 'Ü', 'ø', '£', 'Ø', '×', 'ƒ', 'á', 'í', 'ó', 'ú', 'ñ', 'Ñ',
    'ª', 'º', '¿', '®', '¬', '½', '¼', '¡', '«', '»', '░', '▒', '▓', '│', '┤', 'Á', 'Â', 'À', '©',
    '╣', '║', '╗', '╝', '¢', '¥', '┐', '└', '┴', '┬', '├', '─', '┼', 'ã', 'Ã', '╚', '╔', '╩', '╦',
    '╠', '═', '╬', '¤', 'ð', 'Ð', 'Ê', 'Ë', 'È', 'ı', 'Í', 'Î', 'Ï', '┘', '┌', '█', '▄', '¦', 'Ì',
    '▀', 'Ó', 'ß', 'Ô', 'Ò', 'õ', 'Õ', 'µ', 'þ', 'Þ', 'Ú', 'Û', 'Ù', 'ý', 'Ý', '¯', '´', '\u{ad}',
    '±', '‗', '¾', '¶', '§', '÷', '¸', '°', '¨', '·', '¹', '³', '²', '■', '\u{a0}',
];

fn cp850_char(x: u8) -> char {
    if x < 0x80 {
        char::from(x)
    } else {
        CP850_HIGH[usize::from(x & 0x7f)]
    }
}

fn latin(v: &[u8]) -> String {
    v.iter().map(|&x| char::from(x)).collect()
}

/// A FAT date and time (local time, treated as UTC: FAT has no zone), with
/// the creation time's 10 ms units. `None` for an unset (zero) date or an
/// impossible one.
fn fat_time(date: u16, time: u16, tenths: u8) -> Option<Time> {
    let day = u32::from(date & 0x1f);
    let month = u32::from((date >> 5) & 0x0f);
    let year = 1980 + i64::from(date >> 9);
    let sec = i64::from(time & 0x1f) * 2;
    let min = i64::from((time >> 5) & 0x3f);
    let hour = i64::from(time >> 11);
    if !(1..=12).contains(&month) || day == 0 || hour > 23 || min > 59 || sec > 59 || tenths > 199 {
        return None;
    }
    let days = days_from_civil(year, month, day);
    let extra = i64::from(tenths / 100);
    Some(Time {
        secs: days * 86400 + hour * 3600 + min * 60 + sec + extra,
        nanos: u32::from(tenths % 100) * 10_000_000,
    })
}

/// A field of a fixed-size record: the boot sector and FSInfo are sliced to
/// 512 bytes and directory records to 32 before any field is read, so the
/// zero for "past the end" is never seen.
fn le16(b: &[u8], at: usize) -> u16 {
    bytes::le16(b, at).unwrap_or(0)
}

/// See [`le16`].
fn le32(b: &[u8], at: usize) -> u32 {
    bytes::le32(b, at).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        // 2023-11-14 22:13:20 = 1700000000.
        let date = ((2023 - 1980) << 9) | (11 << 5) | 14;
        let time = (22 << 11) | (13 << 5) | 10;
        assert_eq!(
            fat_time(date, time, 0),
            Some(Time::from_secs(1_700_000_000))
        );
        assert_eq!(
            fat_time(date, time, 155),
            Some(Time {
                secs: 1_700_000_001,
                nanos: 550_000_000
            })
        );
        assert_eq!(fat_time(0, 0, 0), None);
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11017);
    }

    #[test]
    fn short_names_and_case_flags() {
        assert_eq!(short_name(b"LOWER   TXT", 0x18), "lower.txt");
        assert_eq!(short_name(b"LOWER   TXT", 0x08), "lower.TXT");
        assert_eq!(short_name(b"README     ", 0), "README");
        assert_eq!(short_name(b"\x05BC     TXT", 0), "ÕBC.TXT");
        assert_eq!(short_name(b"CAF\x90NA~1TXT", 0), "CAFÉNA~1.TXT");
        assert_eq!(CP850_HIGH[0x90 - 0x80], 'É');
        assert_eq!(CP850_HIGH[0x7f], '\u{a0}');
    }

    /// The one-string `short_name` against the plain reading: decode the
    /// base and extension, trim their spaces, lowercase per flag.
    #[test]
    fn short_names_match_the_plain_reading() {
        let plain = |raw: &[u8; 11], nt: u8| {
            let mut base = raw[..8].to_vec();
            if base[0] == 0x05 {
                base[0] = 0xe5;
            }
            let conv = |v: &[u8], lower: bool| {
                let s: String = v.iter().map(|&x| cp850_char(x)).collect();
                let s = s.trim_end_matches(' ');
                if lower {
                    s.to_lowercase()
                } else {
                    s.to_string()
                }
            };
            let (b, e) = (conv(&base, nt & 0x08 != 0), conv(&raw[8..], nt & 0x10 != 0));
            if e.is_empty() {
                b
            } else {
                format!("{b}.{e}")
            }
        };
        // Every byte value, at the start and inside the base and extension.
        for x in 0..=255u8 {
            for raw in [
                [x, b'a', b' ', b' ', b' ', b' ', b' ', b' ', x, x, b' '],
                [x; 11],
            ] {
                for nt in [0, 0x08, 0x10, 0x18] {
                    assert_eq!(short_name(&raw, nt), plain(&raw, nt), "{raw:?} {nt:#x}");
                }
            }
        }
        // Names drawn from spaces, 0x05, ASCII letters and high bytes.
        let alphabet = [
            b' ', b' ', 0x05, b'A', b'z', b'~', 0x80, 0x90, 0xb5, 0xe5, 0xff,
        ];
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..20_000 {
            let mut raw = [0u8; 11];
            for c in &mut raw {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                *c = alphabet[(seed % alphabet.len() as u64) as usize];
            }
            for nt in [0, 0x08, 0x10, 0x18] {
                assert_eq!(short_name(&raw, nt), plain(&raw, nt), "{raw:?} {nt:#x}");
            }
        }
    }

    #[test]
    fn lfn_checksum_mismatch_falls_back() {
        let mut r = [0u8; 32];
        r[0] = 0x41;
        r[11] = 0x0f;
        r[13] = 0x12;
        r[1] = b'x';
        r[3..5].fill(0);
        let mut l = Lfn::default();
        l.add(&r);
        assert!(l.name(b"X       TXT").is_err());
        let sum = b"X       TXT"
            .iter()
            .fold(0u8, |s, &x| s.rotate_right(1).wrapping_add(x));
        r[13] = sum;
        let mut l = Lfn::default();
        l.add(&r);
        assert_eq!(l.name(b"X       TXT"), Ok(Some(b"x".to_vec())));
    }

    #[test]
    fn not_fat() {
        assert!(!looks_like_fat(&[0u8; 512]));
        assert!(!looks_like_fat(&[0xeb, 0x3c, 0x90]));
    }
}
