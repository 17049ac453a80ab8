//! Dataset readers: IDX (the MNIST family format) and NumPy `.npy`, either of them plain or
//! gzip-compressed.
//!
//! The format is detected from the content, never from the file name: gzip by its magic
//! `1f 8b` (then the decompressed bytes are detected again), `.npy` by `\x93NUMPY`, and IDX
//! otherwise. Only unsigned bytes are read:
//!
//! - IDX: big-endian magic `00 00 08 D` (element type 0x08 = unsigned byte, `D` dimensions),
//!   then `D` big-endian `u32` sizes, then the data. Images are `0x00000803` (`[n, rows, cols]`),
//!   labels `0x00000801` (`[n]`).
//! - `.npy` versions 1.0, 2.0 and 3.0 with `descr` `|u1` (or `<u1`, `>u1`, `u1`) and
//!   `fortran_order: False`.
//!
//! Reading is bounded: files and decompressed data over [`MAX_DATA_BYTES`] are refused, header
//! dimensions are multiplied with overflow checks, and a file shorter or longer than its header
//! declares is an error.

use crate::error::DataError;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Largest data file, before or after decompression (2 GiB).
pub const MAX_DATA_BYTES: u64 = 2 << 30;

/// A set of `count` images of `shape` (e.g. `[28, 28]`), pixels stored image after image.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Images {
    /// Number of images.
    pub count: usize,
    /// Shape of one image (the file's dimensions after the first).
    pub shape: Vec<usize>,
    /// All pixels, `count · product(shape)` bytes, row-major.
    pub pixels: Vec<u8>,
}

impl Images {
    /// Number of pixels in one image.
    pub fn image_len(&self) -> usize {
        self.shape.iter().product()
    }

    /// The pixels of image `i`. Panics if `i >= count`.
    pub fn image(&self, i: usize) -> &[u8] {
        assert!(i < self.count, "image {i} of {}", self.count);
        let n = self.image_len();
        &self.pixels[i * n..(i + 1) * n]
    }

    /// Every image, in order.
    pub fn iter(&self) -> impl Iterator<Item = &[u8]> + '_ {
        (0..self.count).map(|i| self.image(i))
    }
}

/// Reads images from an IDX or `.npy` file (plain or gzip) holding a uint8 array of two or
/// more dimensions; the first dimension counts images.
pub fn load_images(path: &Path) -> Result<Images, DataError> {
    let (dims, data) = read_array(path)?;
    if dims.len() < 2 {
        return Err(DataError::Rank { path: path.into(), what: "images", expected: "2 or more", got: dims.len() });
    }
    if dims[1..].contains(&0) {
        return Err(DataError::Dims {
            path: path.into(),
            dims: dims.iter().map(|&d| d as u64).collect(),
            reason: "an image dimension is zero",
        });
    }
    Ok(Images { count: dims[0], shape: dims[1..].to_vec(), pixels: data })
}

/// Reads labels from an IDX or `.npy` file (plain or gzip) holding a one-dimensional uint8 array.
pub fn load_labels(path: &Path) -> Result<Vec<u8>, DataError> {
    let (dims, data) = read_array(path)?;
    if dims.len() != 1 {
        return Err(DataError::Rank { path: path.into(), what: "labels", expected: "exactly 1", got: dims.len() });
    }
    Ok(data)
}

/// Reads a uint8 array of any rank: its dimensions and its data.
fn read_array(path: &Path) -> Result<(Vec<usize>, Vec<u8>), DataError> {
    let bytes = read_file(path)?;
    parse_array(path, bytes)
}

fn read_file(path: &Path) -> Result<Vec<u8>, DataError> {
    let io = |source| DataError::Io { path: path.into(), source };
    let file = File::open(path).map_err(io)?;
    let size = file.metadata().map_err(io)?.len();
    if size > MAX_DATA_BYTES {
        return Err(DataError::TooLarge { path: path.into(), limit: MAX_DATA_BYTES });
    }
    let mut buf = Vec::with_capacity(size as usize);
    file.take(MAX_DATA_BYTES + 1).read_to_end(&mut buf).map_err(io)?;
    if buf.len() as u64 > MAX_DATA_BYTES {
        return Err(DataError::TooLarge { path: path.into(), limit: MAX_DATA_BYTES });
    }
    Ok(buf)
}

/// Detects the format of `bytes` (read from `path`) and parses it.
fn parse_array(path: &Path, bytes: Vec<u8>) -> Result<(Vec<usize>, Vec<u8>), DataError> {
    if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(bytes.as_slice())
            .take(MAX_DATA_BYTES + 1)
            .read_to_end(&mut out)
            .map_err(|source| DataError::Gzip { path: path.into(), source })?;
        if out.len() as u64 > MAX_DATA_BYTES {
            return Err(DataError::TooLarge { path: path.into(), limit: MAX_DATA_BYTES });
        }
        if out.starts_with(&[0x1f, 0x8b]) {
            return Err(DataError::UnknownFormat { path: path.into(), first: out[..2].to_vec() });
        }
        return parse_array(path, out);
    }
    if bytes.starts_with(NPY_MAGIC) {
        return parse_npy(path, bytes);
    }
    if bytes.len() >= 4 && bytes[0] == 0 && bytes[1] == 0 {
        return parse_idx(path, bytes);
    }
    Err(DataError::UnknownFormat { path: path.into(), first: bytes[..bytes.len().min(8)].to_vec() })
}

/// Checks the product of `dims` and that `available` bytes hold exactly that many.
fn check_len(path: &Path, dims: &[u64], available: usize) -> Result<usize, DataError> {
    let dims_err = |reason| DataError::Dims { path: path.into(), dims: dims.to_vec(), reason };
    let total =
        dims.iter().try_fold(1u64, |acc, &d| acc.checked_mul(d)).ok_or_else(|| dims_err("the product overflows"))?;
    if total > MAX_DATA_BYTES {
        return Err(dims_err("more than 2 GiB of data"));
    }
    let (total, got) = (total as usize, available);
    if got < total {
        return Err(DataError::Truncated { path: path.into(), expected: total as u64, got: got as u64 });
    }
    if got > total {
        return Err(DataError::TrailingBytes {
            path: path.into(),
            expected: total as u64,
            extra: (got - total) as u64,
        });
    }
    Ok(total)
}

fn idx_type_name(code: u8) -> &'static str {
    match code {
        0x08 => "unsigned byte",
        0x09 => "signed byte",
        0x0b => "short",
        0x0c => "int",
        0x0d => "float",
        0x0e => "double",
        _ => "unknown",
    }
}

fn parse_idx(path: &Path, mut bytes: Vec<u8>) -> Result<(Vec<usize>, Vec<u8>), DataError> {
    let (code, rank) = (bytes[2], bytes[3] as usize);
    if code != 0x08 {
        return Err(DataError::IdxType { path: path.into(), code, name: idx_type_name(code) });
    }
    if rank == 0 {
        return Err(DataError::Dims {
            path: path.into(),
            dims: vec![],
            reason: "an IDX file needs at least one dimension",
        });
    }
    let header = 4 + 4 * rank;
    if bytes.len() < header {
        return Err(DataError::Truncated { path: path.into(), expected: header as u64, got: bytes.len() as u64 });
    }
    let dims: Vec<u64> =
        bytes[4..header].chunks_exact(4).map(|c| u64::from(u32::from_be_bytes([c[0], c[1], c[2], c[3]]))).collect();
    check_len(path, &dims, bytes.len() - header)?;
    bytes.drain(..header);
    Ok((dims.iter().map(|&d| d as usize).collect(), bytes))
}

const NPY_MAGIC: &[u8] = b"\x93NUMPY";

fn parse_npy(path: &Path, mut bytes: Vec<u8>) -> Result<(Vec<usize>, Vec<u8>), DataError> {
    let bad = |reason: String| DataError::NpyHeader { path: path.into(), reason };
    let truncated = |expected: usize, got: usize| DataError::Truncated {
        path: path.into(),
        expected: expected as u64,
        got: got as u64,
    };
    if bytes.len() < 10 {
        return Err(truncated(10, bytes.len()));
    }
    let major = bytes[6];
    let (len_bytes, header_start) = match major {
        1 => (2, 10),
        2 | 3 => (4, 12),
        v => return Err(bad(format!("version {v}.{} is not supported (1.0, 2.0 and 3.0 are)", bytes[7]))),
    };
    if bytes.len() < header_start {
        return Err(truncated(header_start, bytes.len()));
    }
    let mut len_le = [0u8; 4];
    len_le[..len_bytes].copy_from_slice(&bytes[8..8 + len_bytes]);
    let header_len = u32::from_le_bytes(len_le) as usize;
    let data_start = header_start + header_len;
    if bytes.len() < data_start {
        return Err(truncated(data_start, bytes.len()));
    }
    let header = std::str::from_utf8(&bytes[header_start..data_start]).map_err(|_| bad("not UTF-8".into()))?;
    let dict = NpyHeader::parse(header).map_err(bad)?;
    if !matches!(dict.descr.as_str(), "|u1" | "<u1" | ">u1" | "=u1" | "u1") || dict.fortran_order {
        let order = if dict.fortran_order { ", Fortran order" } else { "" };
        return Err(DataError::NpyDtype { path: path.into(), descr: format!("{}{order}", dict.descr) });
    }
    let dims: Vec<u64> = dict.shape.iter().map(|&d| d as u64).collect();
    check_len(path, &dims, bytes.len() - data_start)?;
    bytes.drain(..data_start);
    Ok((dict.shape, bytes))
}

/// The three keys of a `.npy` header, a Python dict literal such as
/// `{'descr': '|u1', 'fortran_order': False, 'shape': (10, 28, 28), }`.
#[derive(Debug, PartialEq, Eq)]
struct NpyHeader {
    descr: String,
    fortran_order: bool,
    shape: Vec<usize>,
}

impl NpyHeader {
    fn parse(text: &str) -> Result<Self, String> {
        let body = text.trim().strip_prefix('{').and_then(|s| s.strip_suffix('}')).ok_or("not a dict literal")?;
        let (mut descr, mut fortran, mut shape) = (None, None, None);
        let mut rest = body.trim_start();
        while !rest.is_empty() {
            let (key, after) = quoted(rest).ok_or_else(|| format!("expected a quoted key at {rest:?}"))?;
            let after = after.trim_start().strip_prefix(':').ok_or("expected ':' after a key")?.trim_start();
            let after = match key {
                "descr" => {
                    let (v, after) = quoted(after).ok_or("descr must be a quoted string")?;
                    descr = Some(v.to_string());
                    after
                }
                "fortran_order" => {
                    if let Some(a) = after.strip_prefix("False") {
                        fortran = Some(false);
                        a
                    } else if let Some(a) = after.strip_prefix("True") {
                        fortran = Some(true);
                        a
                    } else {
                        return Err("fortran_order must be True or False".into());
                    }
                }
                "shape" => {
                    let inner = after.strip_prefix('(').ok_or("shape must be a tuple")?;
                    let close = inner.find(')').ok_or("unterminated shape tuple")?;
                    let dims = inner[..close]
                        .split(',')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(|s| s.trim_end_matches('L').parse::<usize>().map_err(|_| format!("bad dimension {s:?}")))
                        .collect::<Result<Vec<_>, _>>()?;
                    shape = Some(dims);
                    &inner[close + 1..]
                }
                other => return Err(format!("unknown key {other:?}")),
            };
            let after = after.trim_start();
            rest = match after.strip_prefix(',') {
                Some(a) => a.trim_start(),
                None if after.is_empty() => after,
                None => return Err(format!("expected ',' at {after:?}")),
            };
        }
        Ok(Self {
            descr: descr.ok_or("missing 'descr'")?,
            fortran_order: fortran.ok_or("missing 'fortran_order'")?,
            shape: shape.ok_or("missing 'shape'")?,
        })
    }
}

/// A `'…'` or `"…"` string at the start of `s` (no escapes): its content and the rest.
fn quoted(s: &str) -> Option<(&str, &str)> {
    let q = s.chars().next().filter(|&c| c == '\'' || c == '"')?;
    let end = s[1..].find(q)? + 1;
    Some((&s[1..end], &s[end + 1..]))
}

/// Writes `data` of shape `dims` as an uncompressed IDX file (unsigned bytes). For tests and
/// tools; fails with [`DataError::Dims`] when a dimension exceeds `u32` or the data length
/// differs from the product of the dimensions.
pub fn write_idx(path: &Path, dims: &[usize], data: &[u8]) -> Result<(), DataError> {
    let dims64: Vec<u64> = dims.iter().map(|&d| d as u64).collect();
    let dims_err = |reason| DataError::Dims { path: PathBuf::from(path), dims: dims64.clone(), reason };
    if dims.is_empty() || dims.len() > 255 || dims.iter().any(|&d| d > u32::MAX as usize) {
        return Err(dims_err("IDX needs 1 to 255 dimensions of at most 2^32 − 1"));
    }
    if dims.iter().try_fold(1usize, |a, &d| a.checked_mul(d)) != Some(data.len()) {
        return Err(dims_err("the data length differs from the product of the dimensions"));
    }
    let mut out = vec![0, 0, 0x08, dims.len() as u8];
    for &d in dims {
        out.extend_from_slice(&(d as u32).to_be_bytes());
    }
    out.extend_from_slice(data);
    std::fs::write(path, out).map_err(|source| DataError::Io { path: path.into(), source })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn idx(dims: &[u32], data: &[u8]) -> Vec<u8> {
        let mut out = vec![0, 0, 8, dims.len() as u8];
        for d in dims {
            out.extend_from_slice(&d.to_be_bytes());
        }
        out.extend_from_slice(data);
        out
    }

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(bytes).unwrap();
        e.finish().unwrap()
    }

    fn npy(version: u8, header: &str, data: &[u8]) -> Vec<u8> {
        let mut out = NPY_MAGIC.to_vec();
        out.extend_from_slice(&[version, 0]);
        let mut h = header.to_string();
        let prefix = if version == 1 { 10 } else { 12 };
        while (prefix + h.len() + 1) % 64 != 0 {
            h.push(' ');
        }
        h.push('\n');
        if version == 1 {
            out.extend_from_slice(&(h.len() as u16).to_le_bytes());
        } else {
            out.extend_from_slice(&(h.len() as u32).to_le_bytes());
        }
        out.extend_from_slice(h.as_bytes());
        out.extend_from_slice(data);
        out
    }

    fn write(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> PathBuf {
        let p = dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }

    #[test]
    fn idx_plain_and_gzip() {
        let dir = tempfile::tempdir().unwrap();
        let pixels: Vec<u8> = (0..24).collect();
        let raw = idx(&[2, 3, 4], &pixels);
        for (name, bytes) in [("a.idx", raw.clone()), ("b.bin", gzip(&raw))] {
            let imgs = load_images(&write(&dir, name, &bytes)).unwrap();
            assert_eq!((imgs.count, imgs.shape.clone()), (2, vec![3, 4]));
            assert_eq!(imgs.image(1), &pixels[12..]);
            assert_eq!(imgs.iter().count(), 2);
        }
        let labels = idx(&[3], &[7, 8, 9]);
        assert_eq!(load_labels(&write(&dir, "l.gz", &gzip(&labels))).unwrap(), vec![7, 8, 9]);
        // A label file is not an image file and vice versa.
        assert!(matches!(load_images(&write(&dir, "l", &labels)), Err(DataError::Rank { got: 1, .. })));
        assert!(matches!(load_labels(&write(&dir, "a", &raw)), Err(DataError::Rank { got: 3, .. })));
    }

    #[test]
    fn write_idx_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("w.idx");
        write_idx(&p, &[2, 2, 2], &[1, 2, 3, 4, 5, 6, 7, 8]).unwrap();
        let imgs = load_images(&p).unwrap();
        assert_eq!(imgs.pixels, vec![1, 2, 3, 4, 5, 6, 7, 8]);
        assert!(write_idx(&p, &[2, 2], &[1]).is_err());
    }

    #[test]
    fn idx_malformed() {
        let dir = tempfile::tempdir().unwrap();
        let truncated = idx(&[2, 3, 4], &[0; 23]);
        assert!(matches!(
            load_images(&write(&dir, "t", &truncated)),
            Err(DataError::Truncated { expected: 24, got: 23, .. })
        ));
        let trailing = idx(&[2, 3, 4], &[0; 25]);
        assert!(matches!(load_images(&write(&dir, "x", &trailing)), Err(DataError::TrailingBytes { extra: 1, .. })));
        // Header cut short.
        assert!(matches!(load_images(&write(&dir, "h", &[0, 0, 8, 3, 0, 0])), Err(DataError::Truncated { .. })));
        // Huge declared dimensions: refused before anything is allocated.
        let huge = idx(&[u32::MAX, u32::MAX, u32::MAX], &[]);
        assert!(matches!(load_images(&write(&dir, "big", &huge)), Err(DataError::Dims { .. })));
        let big = idx(&[60000, 60000, 1], &[]);
        assert!(matches!(load_images(&write(&dir, "big2", &big)), Err(DataError::Dims { .. })));
        // Float IDX.
        let mut f = idx(&[1, 1, 1], &[0, 0, 0, 0]);
        f[2] = 0x0d;
        match load_images(&write(&dir, "f", &f)) {
            Err(e @ DataError::IdxType { code: 0x0d, .. }) => assert!(e.to_string().contains("float")),
            other => panic!("{other:?}"),
        }
        assert!(matches!(load_images(&write(&dir, "z", &idx(&[1, 0, 3], &[]))), Err(DataError::Dims { .. })));
        assert!(matches!(load_images(&write(&dir, "r0", &idx(&[], &[]))), Err(DataError::Dims { .. })));
        assert!(matches!(load_images(&write(&dir, "u", b"hello world")), Err(DataError::UnknownFormat { .. })));
        assert!(matches!(load_images(&write(&dir, "e", b"")), Err(DataError::UnknownFormat { .. })));
        // Corrupt gzip.
        let mut gz = gzip(&idx(&[1, 2, 2], &[1, 2, 3, 4]));
        let n = gz.len();
        gz.truncate(n - 6);
        assert!(matches!(load_images(&write(&dir, "g", &gz)), Err(DataError::Gzip { .. })));
    }

    #[test]
    fn missing_file_names_path() {
        let e = load_images(Path::new("/nonexistent/dir/images.idx")).unwrap_err();
        assert!(matches!(e, DataError::Io { .. }));
        assert!(e.to_string().contains("/nonexistent/dir/images.idx"), "{e}");
    }

    #[test]
    fn npy_versions_and_gzip() {
        let dir = tempfile::tempdir().unwrap();
        let data: Vec<u8> = (0..12).collect();
        let h = "{'descr': '|u1', 'fortran_order': False, 'shape': (3, 2, 2), }";
        for v in [1, 2, 3] {
            let imgs = load_images(&write(&dir, "a.npy", &npy(v, h, &data))).unwrap();
            assert_eq!((imgs.count, imgs.shape.clone(), imgs.pixels.clone()), (3, vec![2, 2], data.clone()));
        }
        let imgs = load_images(&write(&dir, "a.npy.gz", &gzip(&npy(1, h, &data)))).unwrap();
        assert_eq!(imgs.count, 3);
        let l = npy(1, "{'descr': '|u1', 'fortran_order': False, 'shape': (4,), }", &[1, 2, 3, 4]);
        assert_eq!(load_labels(&write(&dir, "l.npy", &l)).unwrap(), vec![1, 2, 3, 4]);
    }

    #[test]
    fn npy_malformed() {
        let dir = tempfile::tempdir().unwrap();
        let f32h = "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1), }";
        match load_images(&write(&dir, "f.npy", &npy(1, f32h, &[0; 4]))) {
            Err(e @ DataError::NpyDtype { .. }) => assert!(e.to_string().contains("<f4"), "{e}"),
            other => panic!("{other:?}"),
        }
        let fortran = "{'descr': '|u1', 'fortran_order': True, 'shape': (2, 2), }";
        assert!(matches!(
            load_images(&write(&dir, "o.npy", &npy(1, fortran, &[0; 4]))),
            Err(DataError::NpyDtype { .. })
        ));
        let h = "{'descr': '|u1', 'fortran_order': False, 'shape': (2, 2), }";
        assert!(matches!(load_images(&write(&dir, "t.npy", &npy(1, h, &[0; 3]))), Err(DataError::Truncated { .. })));
        let mut v9 = npy(1, h, &[0; 4]);
        v9[6] = 9;
        assert!(matches!(load_images(&write(&dir, "v.npy", &v9)), Err(DataError::NpyHeader { .. })));
        let mut cut = npy(1, h, &[0; 4]);
        cut.truncate(30);
        assert!(matches!(load_images(&write(&dir, "c.npy", &cut)), Err(DataError::Truncated { .. })));
        for bad in [
            "{'descr': '|u1', 'shape': (2, 2), }",
            "{'descr': '|u1', 'fortran_order': False, 'shape': (2, x), }",
            "{'descr': '|u1', 'fortran_order': False, 'shape': (2, 2), 'extra': 1}",
            "['descr']",
            "{'descr' '|u1'}",
        ] {
            assert!(
                matches!(load_images(&write(&dir, "b.npy", &npy(1, bad, &[0; 4]))), Err(DataError::NpyHeader { .. })),
                "{bad}"
            );
        }
        let huge = "{'descr': '|u1', 'fortran_order': False, 'shape': (18446744073709551615, 2), }";
        assert!(matches!(load_images(&write(&dir, "h.npy", &npy(1, huge, &[]))), Err(DataError::Dims { .. })));
    }

    #[test]
    fn npy_header_parser() {
        let h = NpyHeader::parse("{\"descr\": \"|u1\", \"fortran_order\": False, \"shape\": (), }").unwrap();
        assert_eq!(h.shape, Vec::<usize>::new());
        let h = NpyHeader::parse("{'shape': (5,), 'fortran_order': False, 'descr': '|u1'}").unwrap();
        assert_eq!(h, NpyHeader { descr: "|u1".into(), fortran_order: false, shape: vec![5] });
    }
}
