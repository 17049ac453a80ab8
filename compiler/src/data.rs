//! Dataset readers: IDX (the MNIST family format) and NumPy `.npy`, either of them plain or
//! gzip-compressed.
//!
//! The format is detected from the content, never from the file name: gzip by its magic
//! `1f 8b` (then the decompressed bytes are detected again), `.npy` by `\x93NUMPY`, and IDX
//! otherwise. Values are pixels and labels, so every element must be an integer in `0..=255`:
//!
//! - IDX: big-endian magic `00 00 T D` (`T` the element type, `D` dimensions), then `D`
//!   big-endian `u32` sizes, then the data. Images are `[n, rows, cols]`, labels `[n]`. Unsigned
//!   bytes (0x08) are read as they are; signed bytes, shorts, ints, floats and doubles (0x09,
//!   0x0b–0x0e) are accepted when every value is an integer in `0..=255`.
//! - `.npy` versions 1.0, 2.0 and 3.0, C order, with `descr` `u1` (any byte order mark), or
//!   `i1`, `u2`/`i2`, `u4`/`i4`, `u8`/`i8`, `f4`, `f8` in either byte order when every value
//!   is an integer in `0..=255` (FINN's `input.npy` is float32 `0.0..=255.0`). Any other value
//!   is an error naming its index and value.
//!
//! Reading is bounded and streaming: the header is read and checked first (dimensions
//! multiplied with overflow checks, at most [`MAX_DATA_BYTES`] of data), then only the data the
//! header declares is read, and with a limit ([`read_images`]) only that many images' worth;
//! a gzip stream is decompressed as it is read, never in full up front. A file shorter or
//! longer than its header declares is an error (beyond a limit the rest is not read).

use crate::error::DataError;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

/// Largest data file, before or after decompression (2 GiB).
pub const MAX_DATA_BYTES: u64 = 2 << 30;

/// Largest `.npy` header (numpy itself writes a few hundred bytes).
const MAX_NPY_HEADER: usize = 1 << 16;

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

/// Reads images from an IDX or `.npy` file (plain or gzip) holding an array of two or more
/// dimensions; the first dimension counts images.
pub fn load_images(path: &Path) -> Result<Images, DataError> {
    read_images(path, None)
}

/// Like [`load_images`], but reads at most `limit` images: the header is checked, then only
/// `limit` images' worth of data is read (and decompressed); the rest of the file is not read.
pub fn read_images(path: &Path, limit: Option<usize>) -> Result<Images, DataError> {
    let mut r = open(path)?;
    let header = read_header(path, &mut r)?;
    let dims = image_dims(path, &header.dims)?;
    let per: usize = dims[1..].iter().product();
    let count = limit.map_or(dims[0], |l| l.min(dims[0]));
    let pixels = read_values(path, &mut r, &header, count * per, count < dims[0])?;
    Ok(Images { count, shape: dims[1..].to_vec(), pixels })
}

/// The number of images in an image file, from its header alone (no data is read).
pub fn image_count(path: &Path) -> Result<usize, DataError> {
    let mut r = open(path)?;
    let header = read_header(path, &mut r)?;
    Ok(image_dims(path, &header.dims)?[0])
}

/// Reads labels from an IDX or `.npy` file (plain or gzip) holding a one-dimensional array.
pub fn load_labels(path: &Path) -> Result<Vec<u8>, DataError> {
    let mut r = open(path)?;
    let header = read_header(path, &mut r)?;
    if header.dims.len() != 1 {
        return Err(DataError::Rank {
            path: path.into(),
            what: "labels",
            expected: "exactly 1",
            got: header.dims.len(),
        });
    }
    read_values(path, &mut r, &header, header.dims[0], false)
}

fn image_dims(path: &Path, dims: &[usize]) -> Result<Vec<usize>, DataError> {
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
    Ok(dims.to_vec())
}

/// How the elements of an array are stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Elem {
    /// Unsigned integer of this many bytes.
    U(usize),
    /// Signed integer of this many bytes.
    I(usize),
    /// IEEE float of this many bytes (4 or 8).
    F(usize),
}

impl Elem {
    fn size(self) -> usize {
        match self {
            Elem::U(n) | Elem::I(n) | Elem::F(n) => n,
        }
    }
}

/// A parsed header: the dimensions and how the data that follows is stored.
struct Header {
    dims: Vec<usize>,
    elem: Elem,
    big_endian: bool,
}

type Reader = Box<dyn Read>;

/// Opens `path`, decompressing it as it is read when it is a gzip stream. Everything read
/// through the result is bounded by [`MAX_DATA_BYTES`] (plus one byte, to detect excess).
fn open(path: &Path) -> Result<Reader, DataError> {
    let io = |source| DataError::Io { path: path.into(), source };
    let file = File::open(path).map_err(io)?;
    if file.metadata().map_err(io)?.len() > MAX_DATA_BYTES {
        return Err(DataError::TooLarge { path: path.into(), limit: MAX_DATA_BYTES });
    }
    let mut file = BufReader::new(file).take(MAX_DATA_BYTES + 1);
    let mut magic = [0u8; 2];
    let n = read_full(&mut file, &mut magic).map_err(io)?;
    let prefix = std::io::Cursor::new(magic[..n].to_vec());
    if n == 2 && magic == [0x1f, 0x8b] {
        let gz = flate2::read::MultiGzDecoder::new(prefix.chain(file));
        let mut gz = GzErrors { inner: gz }.take(MAX_DATA_BYTES + 1);
        // A gzip of a gzip is not a format of ours.
        let mut inner = [0u8; 2];
        let m = read_full(&mut gz, &mut inner).map_err(|source| DataError::Gzip { path: path.into(), source })?;
        if m == 2 && inner == [0x1f, 0x8b] {
            return Err(DataError::UnknownFormat { path: path.into(), first: inner.to_vec() });
        }
        return Ok(Box::new(std::io::Cursor::new(inner[..m].to_vec()).chain(gz)));
    }
    Ok(Box::new(prefix.chain(file)))
}

/// Marks errors of the gzip decoder so that [`io_err`] reports them as corrupt gzip data.
struct GzErrors<R> {
    inner: R,
}

impl<R: Read> Read for GzErrors<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.inner.read(buf).map_err(|e| std::io::Error::new(e.kind(), GzipFailure(e)))
    }
}

#[derive(Debug)]
struct GzipFailure(std::io::Error);

impl std::fmt::Display for GzipFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for GzipFailure {}

/// The error of a read through [`open`]'s reader: corrupt gzip data or a plain I/O error.
fn io_err(path: &Path, e: std::io::Error) -> DataError {
    if e.get_ref().is_some_and(|inner| inner.is::<GzipFailure>()) {
        let inner = e.into_inner().and_then(|b| b.downcast::<GzipFailure>().ok()).map(|g| g.0);
        let source = inner.unwrap_or_else(|| std::io::Error::other("corrupt gzip data"));
        return DataError::Gzip { path: path.into(), source };
    }
    DataError::Io { path: path.into(), source: e }
}

/// Reads until `buf` is full or the stream ends; the number of bytes read.
fn read_full(r: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// Detects the format from the first bytes and reads the header (IDX or `.npy`).
fn read_header(path: &Path, r: &mut Reader) -> Result<Header, DataError> {
    let mut start = [0u8; 6];
    let n = read_full(r, &mut start[..4]).map_err(|e| io_err(path, e))?;
    if n == 4 && start[..4] == NPY_MAGIC[..4] {
        let m = read_full(r, &mut start[4..]).map_err(|e| io_err(path, e))?;
        if m == 2 && start == *NPY_MAGIC {
            return read_npy_header(path, r);
        }
        return Err(DataError::UnknownFormat { path: path.into(), first: start[..4 + m].to_vec() });
    }
    if n == 4 && start[0] == 0 && start[1] == 0 {
        return read_idx_header(path, r, start[2], start[3]);
    }
    Err(DataError::UnknownFormat { path: path.into(), first: start[..n].to_vec() })
}

/// Checks the product of `dims` against the size limit; the number of elements.
fn check_dims(path: &Path, dims: &[u64], elem: Elem) -> Result<usize, DataError> {
    let dims_err = |reason| DataError::Dims { path: path.into(), dims: dims.to_vec(), reason };
    let total =
        dims.iter().try_fold(1u64, |acc, &d| acc.checked_mul(d)).ok_or_else(|| dims_err("the product overflows"))?;
    if total.checked_mul(elem.size() as u64).is_none_or(|b| b > MAX_DATA_BYTES) {
        return Err(dims_err("more than 2 GiB of data"));
    }
    Ok(total as usize)
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

fn read_idx_header(path: &Path, r: &mut Reader, code: u8, rank: u8) -> Result<Header, DataError> {
    let elem = match code {
        0x08 => Elem::U(1),
        0x09 => Elem::I(1),
        0x0b => Elem::I(2),
        0x0c => Elem::I(4),
        0x0d => Elem::F(4),
        0x0e => Elem::F(8),
        _ => return Err(DataError::IdxType { path: path.into(), code, name: idx_type_name(code) }),
    };
    if rank == 0 {
        return Err(DataError::Dims {
            path: path.into(),
            dims: vec![],
            reason: "an IDX file needs at least one dimension",
        });
    }
    let header = 4 * rank as usize;
    let mut buf = vec![0u8; header];
    let got = read_full(r, &mut buf).map_err(|e| io_err(path, e))?;
    if got < header {
        return Err(DataError::Truncated { path: path.into(), expected: header as u64 + 4, got: got as u64 + 4 });
    }
    let dims: Vec<u64> = buf.chunks_exact(4).map(|c| u64::from(u32::from_be_bytes([c[0], c[1], c[2], c[3]]))).collect();
    check_dims(path, &dims, elem)?;
    Ok(Header { dims: dims.iter().map(|&d| d as usize).collect(), elem, big_endian: true })
}

const NPY_MAGIC: &[u8; 6] = b"\x93NUMPY";

fn read_npy_header(path: &Path, r: &mut Reader) -> Result<Header, DataError> {
    let bad = |reason: String| DataError::NpyHeader { path: path.into(), reason };
    let truncated = |expected: usize, got: usize| DataError::Truncated {
        path: path.into(),
        expected: expected as u64,
        got: got as u64,
    };
    let mut version = [0u8; 2];
    let n = read_full(r, &mut version).map_err(|e| io_err(path, e))?;
    if n < 2 {
        return Err(truncated(10, 6 + n));
    }
    let len_bytes = match version[0] {
        1 => 2,
        2 | 3 => 4,
        v => return Err(bad(format!("version {v}.{} is not supported (1.0, 2.0 and 3.0 are)", version[1]))),
    };
    let mut len_le = [0u8; 4];
    let n = read_full(r, &mut len_le[..len_bytes]).map_err(|e| io_err(path, e))?;
    if n < len_bytes {
        return Err(truncated(8 + len_bytes, 8 + n));
    }
    let header_len = u32::from_le_bytes(len_le) as usize;
    if header_len > MAX_NPY_HEADER {
        return Err(bad(format!("the header length {header_len} is more than the limit of {MAX_NPY_HEADER} bytes")));
    }
    let mut text = vec![0u8; header_len];
    let n = read_full(r, &mut text).map_err(|e| io_err(path, e))?;
    if n < header_len {
        return Err(truncated(8 + len_bytes + header_len, 8 + len_bytes + n));
    }
    let text = std::str::from_utf8(&text).map_err(|_| bad("not UTF-8".into()))?;
    let dict = NpyHeader::parse(text).map_err(bad)?;
    let dtype_err = || {
        let order = if dict.fortran_order { ", Fortran order" } else { "" };
        DataError::NpyDtype { path: path.into(), descr: format!("{}{order}", dict.descr) }
    };
    if dict.fortran_order {
        return Err(dtype_err());
    }
    let (order, code) = match dict.descr.chars().next() {
        Some(c @ ('<' | '>' | '|' | '=')) => (c, &dict.descr[1..]),
        _ => ('=', dict.descr.as_str()),
    };
    let elem = match code {
        "u1" => Elem::U(1),
        "i1" => Elem::I(1),
        "u2" => Elem::U(2),
        "i2" => Elem::I(2),
        "u4" => Elem::U(4),
        "i4" => Elem::I(4),
        "u8" => Elem::U(8),
        "i8" => Elem::I(8),
        "f4" => Elem::F(4),
        "f8" => Elem::F(8),
        _ => return Err(dtype_err()),
    };
    // `|` is "not applicable", for one-byte types only.
    if order == '|' && elem.size() != 1 {
        return Err(dtype_err());
    }
    let big_endian = order == '>' || (order == '=' && cfg!(target_endian = "big"));
    let dims: Vec<u64> = dict.shape.iter().map(|&d| d as u64).collect();
    check_dims(path, &dims, elem)?;
    Ok(Header { dims: dict.shape, elem, big_endian })
}

/// Reads `count` elements of `header`'s type and converts them to bytes, each required to be
/// an integer in `0..=255`. Unless `partial`, the stream must end right after the array.
fn read_values(
    path: &Path,
    r: &mut Reader,
    header: &Header,
    count: usize,
    partial: bool,
) -> Result<Vec<u8>, DataError> {
    let size = header.elem.size();
    let declared = header.dims.iter().product::<usize>() * size;
    let want = count * size;
    // Grows with the data that really arrives, so a short file allocates only what it holds.
    let mut raw = Vec::new();
    r.take(want as u64).read_to_end(&mut raw).map_err(|e| io_err(path, e))?;
    if raw.len() < want {
        return Err(DataError::Truncated { path: path.into(), expected: declared as u64, got: raw.len() as u64 });
    }
    if !partial {
        let extra = std::io::copy(r, &mut std::io::sink()).map_err(|e| io_err(path, e))?;
        if extra > 0 {
            return Err(DataError::TrailingBytes { path: path.into(), expected: declared as u64, extra });
        }
    }
    if header.elem == Elem::U(1) {
        return Ok(raw);
    }
    raw.chunks_exact(size)
        .enumerate()
        .map(|(index, b)| {
            let mut le = [0u8; 8];
            le[..size].copy_from_slice(b);
            if header.big_endian {
                le[..size].reverse();
            }
            let bits = u64::from_le_bytes(le);
            let value: f64 = match header.elem {
                Elem::U(_) => bits as f64,
                // Sign-extend from `size` bytes.
                Elem::I(n) => (((bits << (64 - 8 * n)) as i64) >> (64 - 8 * n)) as f64,
                Elem::F(4) => f64::from(f32::from_bits(bits as u32)),
                Elem::F(_) => f64::from_bits(bits),
            };
            if value.fract() == 0.0 && (0.0..=255.0).contains(&value) {
                Ok(value as u8)
            } else {
                Err(DataError::Value { path: path.into(), index, value: format_value(header.elem, bits, value) })
            }
        })
        .collect()
}

/// An element as the user would write it: integers exactly, floats as floats.
fn format_value(elem: Elem, bits: u64, value: f64) -> String {
    match elem {
        Elem::U(_) => bits.to_string(),
        Elem::I(_) => (value as i64).to_string(),
        Elem::F(_) => format!("{value:?}"),
    }
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
        // Float IDX: integral values in 0..=255 are pixels, anything else is named.
        let mut f = idx(&[1, 1, 2], &[0x43, 0x7f, 0, 0, 0x3f, 0x80, 0, 0]);
        f[2] = 0x0d;
        assert_eq!(load_images(&write(&dir, "f", &f)).unwrap().pixels, vec![255, 1]);
        let mut half = idx(&[1, 1, 1], &0.5f32.to_be_bytes());
        half[2] = 0x0d;
        match load_images(&write(&dir, "f2", &half)) {
            Err(e @ DataError::Value { index: 0, .. }) => assert!(e.to_string().contains("0.5"), "{e}"),
            other => panic!("{other:?}"),
        }
        let mut unknown = idx(&[1, 1, 1], &[0]);
        unknown[2] = 0x0a;
        assert!(matches!(load_images(&write(&dir, "f3", &unknown)), Err(DataError::IdxType { code: 0x0a, .. })));
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
        let c16 = "{'descr': '<c16', 'fortran_order': False, 'shape': (1, 1), }";
        match load_images(&write(&dir, "f.npy", &npy(1, c16, &[0; 16]))) {
            Err(e @ DataError::NpyDtype { .. }) => assert!(e.to_string().contains("<c16"), "{e}"),
            other => panic!("{other:?}"),
        }
        // `|` marks one-byte types only.
        let bar = "{'descr': '|f4', 'fortran_order': False, 'shape': (1, 1), }";
        assert!(matches!(load_images(&write(&dir, "b4.npy", &npy(1, bar, &[0; 4]))), Err(DataError::NpyDtype { .. })));
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
    fn npy_float_and_wide_integers() {
        let dir = tempfile::tempdir().unwrap();
        let h = |d: &str| format!("{{'descr': '{d}', 'fortran_order': False, 'shape': (2, 2), }}");
        let want = vec![0u8, 1, 128, 255];
        let f4: Vec<u8> = want.iter().flat_map(|&v| f32::from(v).to_le_bytes()).collect();
        let f8: Vec<u8> = want.iter().flat_map(|&v| f64::from(v).to_be_bytes()).collect();
        let i2: Vec<u8> = want.iter().flat_map(|&v| i16::from(v).to_le_bytes()).collect();
        let u8s: Vec<u8> = want.iter().flat_map(|&v| u64::from(v).to_le_bytes()).collect();
        let i1: Vec<u8> = vec![0, 1, 127, 5];
        for (d, data, expect) in [
            ("<f4", f4, want.clone()),
            (">f8", f8, want.clone()),
            ("<i2", i2, want.clone()),
            ("<u8", u8s, want.clone()),
            ("|i1", i1.clone(), i1),
        ] {
            let imgs = load_images(&write(&dir, "x.npy", &npy(1, &h(d), &data))).unwrap();
            assert_eq!(imgs.pixels, expect, "{d}");
        }
        // Non-integral, negative and too large values are named with their index.
        for (d, data, index, shown) in [
            ("<f4", [0.0f32, 1.0, 2.5, 3.0].iter().flat_map(|v| v.to_le_bytes()).collect::<Vec<u8>>(), 2, "2.5"),
            ("<f4", [0.0f32, 256.0, 1.0, 3.0].iter().flat_map(|v| v.to_le_bytes()).collect(), 1, "256.0"),
            ("<f8", [0.0f64, 1.0, 2.0, f64::NAN].iter().flat_map(|v| v.to_le_bytes()).collect(), 3, "NaN"),
            ("<i4", [0i32, -1, 2, 3].iter().flat_map(|v| v.to_le_bytes()).collect(), 1, "-1"),
            ("<u2", [0u16, 1, 2, 300].iter().flat_map(|v| v.to_le_bytes()).collect(), 3, "300"),
        ] {
            match load_images(&write(&dir, "bad.npy", &npy(1, &h(d), &data))) {
                Err(e @ DataError::Value { .. }) => {
                    let msg = e.to_string();
                    assert!(msg.contains(&format!("element {index} is {shown}")), "{d}: {msg}");
                }
                other => panic!("{d}: {other:?}"),
            }
        }
        // Labels too.
        let l = npy(
            1,
            "{'descr': '<i8', 'fortran_order': False, 'shape': (3,), }",
            &[7i64, 8, 9].iter().flat_map(|v| v.to_le_bytes()).collect::<Vec<u8>>(),
        );
        assert_eq!(load_labels(&write(&dir, "l.npy", &l)).unwrap(), vec![7, 8, 9]);
    }

    #[test]
    fn a_limit_reads_only_that_many_images() {
        let dir = tempfile::tempdir().unwrap();
        // The header declares 1000 images, the file holds 3: with a limit of 2 only two are read.
        let short = idx(&[1000, 2, 2], &[9; 12]);
        let p = write(&dir, "short.idx", &gzip(&short));
        let imgs = read_images(&p, Some(2)).unwrap();
        assert_eq!((imgs.count, imgs.pixels.len()), (2, 8));
        assert!(matches!(read_images(&p, Some(4)), Err(DataError::Truncated { expected: 4000, got: 12, .. })));
        assert!(matches!(load_images(&p), Err(DataError::Truncated { .. })));
        assert_eq!(image_count(&p).unwrap(), 1000);
        // A limit above the count reads everything and still checks the end.
        let exact = write(&dir, "exact.idx", &idx(&[3, 2, 2], &[1; 12]));
        assert_eq!(read_images(&exact, Some(10)).unwrap().count, 3);
        let trailing = write(&dir, "trail.idx", &idx(&[3, 2, 2], &[1; 13]));
        assert!(matches!(read_images(&trailing, Some(10)), Err(DataError::TrailingBytes { extra: 1, .. })));
        assert_eq!(read_images(&trailing, Some(1)).unwrap().count, 1);
    }

    #[test]
    fn npy_header_parser() {
        let h = NpyHeader::parse("{\"descr\": \"|u1\", \"fortran_order\": False, \"shape\": (), }").unwrap();
        assert_eq!(h.shape, Vec::<usize>::new());
        let h = NpyHeader::parse("{'shape': (5,), 'fortran_order': False, 'descr': '|u1'}").unwrap();
        assert_eq!(h, NpyHeader { descr: "|u1".into(), fortran_order: false, shape: vec![5] });
    }
}
