//! SquashFS v4 inodes: a 16-byte common header, then a body per type (basic
//! and extended variants of directory, file, symlink, devices, fifo and
//! socket). Parsed from the decoded inode table.

use crate::bytes::{le16, le32, le64};
use crate::Kind;

/// `frag_idx` of a file without a fragment tail.
pub const NO_FRAGMENT: u32 = 0xffff_ffff;
/// `xattr_idx` of an inode without xattrs.
pub const NO_XATTR: u32 = 0xffff_ffff;

pub enum Body {
    Dir {
        /// Start of the listing's metadata block, relative to the directory table.
        block: u32,
        offset: u16,
        /// Listing size plus 3 (for the implied `.` and `..`).
        size: u32,
    },
    File {
        blocks_start: u64,
        size: u64,
        sparse: Option<u64>,
        frag: u32,
        frag_offset: u32,
        /// Position of the u32 block size list in the inode table.
        list: usize,
        count: usize,
    },
    Symlink(Vec<u8>),
    Device(u32),
    Ipc,
}

pub struct Inode {
    pub ty: u16,
    pub kind: Kind,
    pub mode: u16,
    pub uid_idx: u16,
    pub gid_idx: u16,
    pub mtime: u32,
    pub number: u32,
    pub nlink: Option<u32>,
    pub xattr: u32,
    pub body: Body,
}

impl Inode {
    pub fn type_name(&self) -> &'static str {
        match self.ty {
            1 => "basic-dir",
            2 => "basic-file",
            3 => "basic-symlink",
            4 => "basic-block-device",
            5 => "basic-char-device",
            6 => "basic-fifo",
            7 => "basic-socket",
            8 => "extended-dir",
            9 => "extended-file",
            10 => "extended-symlink",
            11 => "extended-block-device",
            12 => "extended-char-device",
            13 => "extended-fifo",
            _ => "extended-socket",
        }
    }
}

/// Why an inode could not be parsed.
pub enum Bad {
    Truncated,
    Type(u16),
    Invalid(&'static str),
}

/// Parses the inode at `pos` of the decoded inode table `t`.
pub fn parse(t: &[u8], pos: usize, block_size: u32) -> Result<Inode, Bad> {
    let u16a = |o: usize| {
        pos.checked_add(o)
            .and_then(|p| le16(t, p))
            .ok_or(Bad::Truncated)
    };
    let u32a = |o: usize| {
        pos.checked_add(o)
            .and_then(|p| le32(t, p))
            .ok_or(Bad::Truncated)
    };
    let u64a = |o: usize| {
        pos.checked_add(o)
            .and_then(|p| le64(t, p))
            .ok_or(Bad::Truncated)
    };
    let ty = u16a(0)?;
    let kind = match ty {
        1 | 8 => Kind::Dir,
        2 | 9 => Kind::File,
        3 | 10 => Kind::Symlink,
        4 | 11 => Kind::BlockDevice,
        5 | 12 => Kind::CharDevice,
        6 | 13 => Kind::Fifo,
        7 | 14 => Kind::Socket,
        _ => return Err(Bad::Type(ty)),
    };
    let mut ino = Inode {
        ty,
        kind,
        mode: u16a(2)? & 0o7777,
        uid_idx: u16a(4)?,
        gid_idx: u16a(6)?,
        mtime: u32a(8)?,
        number: u32a(12)?,
        nlink: None,
        xattr: NO_XATTR,
        body: Body::Ipc,
    };
    let b = 16;
    let blocks_of = |size: u64, frag: u32| -> u64 {
        let bs = u64::from(block_size.max(1));
        if frag == NO_FRAGMENT {
            size.div_ceil(bs)
        } else {
            size / bs
        }
    };
    let list = |list: usize, count: u64| -> Result<usize, Bad> {
        // The block list must be there in full before anything is sized by it.
        let count = usize::try_from(count).map_err(|_| Bad::Invalid("block count"))?;
        let end = count
            .checked_mul(4)
            .and_then(|n| n.checked_add(list))
            .ok_or(Bad::Invalid("block count"))?;
        if end > t.len() {
            return Err(Bad::Truncated);
        }
        Ok(count)
    };
    match ty {
        1 => {
            ino.nlink = Some(u32a(b + 4)?);
            ino.body = Body::Dir {
                block: u32a(b)?,
                size: u32::from(u16a(b + 8)?),
                offset: u16a(b + 10)?,
            };
        }
        8 => {
            ino.nlink = Some(u32a(b)?);
            ino.body = Body::Dir {
                size: u32a(b + 4)?,
                block: u32a(b + 8)?,
                offset: u16a(b + 18)?,
            };
            ino.xattr = u32a(b + 20)?;
        }
        2 => {
            ino.nlink = Some(1);
            let size = u64::from(u32a(b + 12)?);
            let frag = u32a(b + 4)?;
            let lpos = pos + b + 16;
            ino.body = Body::File {
                blocks_start: u64::from(u32a(b)?),
                size,
                sparse: None,
                frag,
                frag_offset: u32a(b + 8)?,
                list: lpos,
                count: list(lpos, blocks_of(size, frag))?,
            };
        }
        9 => {
            let size = u64a(b + 8)?;
            let frag = u32a(b + 28)?;
            ino.nlink = Some(u32a(b + 24)?);
            ino.xattr = u32a(b + 36)?;
            let lpos = pos + b + 40;
            ino.body = Body::File {
                blocks_start: u64a(b)?,
                size,
                sparse: Some(u64a(b + 16)?),
                frag,
                frag_offset: u32a(b + 32)?,
                list: lpos,
                count: list(lpos, blocks_of(size, frag))?,
            };
        }
        3 | 10 => {
            ino.nlink = Some(u32a(b)?);
            let len = u32a(b + 4)? as usize;
            let start = pos + b + 8;
            let target = t
                .get(start..start.saturating_add(len))
                .ok_or(Bad::Truncated)?;
            if ty == 10 {
                ino.xattr = u32a(b + 8 + len)?;
            }
            ino.body = Body::Symlink(target.to_vec());
        }
        4 | 5 | 11 | 12 => {
            ino.nlink = Some(u32a(b)?);
            ino.body = Body::Device(u32a(b + 4)?);
            if ty > 10 {
                ino.xattr = u32a(b + 8)?;
            }
        }
        _ => {
            ino.nlink = Some(u32a(b)?);
            if ty > 10 {
                ino.xattr = u32a(b + 4)?;
            }
        }
    }
    Ok(ino)
}

/// Splits the on-disk device number: major in bits 8..20, minor in bits
/// 0..8 and 20..32 (the Linux `new_encode_dev` layout).
pub fn split_dev(dev: u32) -> (u32, u32) {
    ((dev >> 8) & 0xfff, (dev & 0xff) | ((dev >> 12) & 0xfff00))
}
