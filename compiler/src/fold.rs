//! Folding: how many rows (PE) and columns (SIMD) of each matrix layer run in parallel.
//!
//! PE need not divide MH nor SIMD MW: such a folding pads its last row group or column step
//! exactly (see `ir::Stream`), so BNN-PYNQ's published foldings compile as published.
//! A [`Folding`] is validated once on construction; [`choose`] is the pure search that picks
//! the cheapest folding meeting a target initiation interval; [`parse_fold_file`] reads a
//! user's choice from TOML (`[fc0] pe = 16  simd = 49`).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Errors choosing or reading a folding.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FoldError {
    /// PE or SIMD is zero or larger than its dimension rounded up to a power of two.
    #[error(
        "layer {layer}: PE {pe} must be in 1..={} (MH {mh}) and SIMD {simd} in 1..={} (MW {mw}): at most the dimension rounded up to a power of two",
        mh.next_power_of_two(),
        mw.next_power_of_two()
    )]
    OutOfRange {
        /// Layer name.
        layer: String,
        /// Rows.
        mh: usize,
        /// Columns.
        mw: usize,
        /// Requested PE.
        pe: usize,
        /// Requested SIMD.
        simd: usize,
    },
    /// The fold file is not valid TOML of the expected shape.
    #[error("fold file: {0}")]
    Parse(String),
    /// The fold file names a layer the model lacks.
    #[error("fold file names layer {0:?}, which is not a matrix layer of the model (layers: {1})")]
    UnknownLayer(String, String),
    /// A target II of zero.
    #[error("target II must be at least 1")]
    ZeroTarget,
    /// The fold file cannot be read.
    #[error("fold file {path}: {message}")]
    Read {
        /// The file.
        path: std::path::PathBuf,
        /// The operating system's message.
        message: String,
    },
    /// The fold file is larger than [`MAX_FOLD_FILE_BYTES`]; it is not read.
    #[error("fold file {path}: more than the limit of {limit} bytes")]
    TooLarge {
        /// The file.
        path: std::path::PathBuf,
        /// The limit.
        limit: u64,
    },
}

/// Largest fold file (one small table per layer needs a few kilobytes).
pub const MAX_FOLD_FILE_BYTES: u64 = 1 << 20;

/// Reads a fold file's text, at most [`MAX_FOLD_FILE_BYTES`] of it (the size on disk is not
/// trusted: `/dev/zero` has none).
pub fn read_fold_file(path: &std::path::Path) -> Result<String, FoldError> {
    use std::io::Read;
    let read_err = |e: std::io::Error| FoldError::Read { path: path.into(), message: e.to_string() };
    let file = std::fs::File::open(path).map_err(read_err)?;
    let mut bytes = Vec::new();
    file.take(MAX_FOLD_FILE_BYTES + 1).read_to_end(&mut bytes).map_err(read_err)?;
    if bytes.len() as u64 > MAX_FOLD_FILE_BYTES {
        return Err(FoldError::TooLarge { path: path.into(), limit: MAX_FOLD_FILE_BYTES });
    }
    String::from_utf8(bytes).map_err(|_| FoldError::Parse(format!("{} is not UTF-8 text", path.display())))
}

/// A legal folding of an MH×MW layer. PE need not divide MH, nor SIMD MW: the last row group
/// and the last column step are then padded (zero weights, padded input columns zeroed; see
/// `ir::Stream`), and the layer takes `ceil(MW/SIMD)·ceil(MH/PE)` cycles.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Folding {
    /// Rows in parallel; at most MH rounded up to a power of two.
    pub pe: usize,
    /// Columns in parallel; at most MW rounded up to a power of two.
    pub simd: usize,
}

impl Folding {
    /// Checks that `1 ≤ pe ≤ mh` and `1 ≤ simd ≤ mw`, each bound rounded up to a power of two
    /// (so BNN-PYNQ's PE 16 on 10 outputs is legal; the padding stays under half a beat).
    pub fn new(layer: &str, mh: usize, mw: usize, pe: usize, simd: usize) -> Result<Self, FoldError> {
        if !(1..=mh.next_power_of_two()).contains(&pe) || !(1..=mw.next_power_of_two()).contains(&simd) {
            return Err(FoldError::OutOfRange { layer: layer.into(), mh, mw, pe, simd });
        }
        Ok(Self { pe, simd })
    }

    /// Whether it pads: PE does not divide MH or SIMD does not divide MW.
    pub fn pads(&self, mh: usize, mw: usize) -> bool {
        mh % self.pe != 0 || mw % self.simd != 0
    }

    /// Synapse fold of an MW-column layer: cycles per output beat, `ceil(MW/SIMD)`.
    pub fn sf(&self, mw: usize) -> usize {
        mw.div_ceil(self.simd)
    }

    /// Neuron fold of an MH-row layer: output beats per vector, `ceil(MH/PE)`.
    pub fn nf(&self, mh: usize) -> usize {
        mh.div_ceil(self.pe)
    }

    /// Cycles per input vector: `SF·NF`.
    pub fn cycles(&self, mh: usize, mw: usize) -> usize {
        self.sf(mw) * self.nf(mh)
    }
}

/// A matrix layer as the folding search sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MatrixShape {
    /// Layer name.
    pub name: String,
    /// Rows.
    pub mh: usize,
    /// Columns.
    pub mw: usize,
}

/// Foldings by layer name.
pub type FoldMap = BTreeMap<String, Folding>;

fn divisors(n: usize) -> Vec<usize> {
    (1..=n).filter(|d| n % d == 0).collect()
}

/// The cheapest folding of each layer with `cycles ≤ target_ii`, among divisors (a padded
/// folding is never cheaper for its cycles): fewest PE·SIMD lanes, then
/// the most balanced (the smaller `max(PE, SIMD)` keeps streams and converters narrow), then
/// fewer PEs (each PE costs an accumulator). Full parallelism always meets any target ≥ 1.
pub fn choose(layers: &[MatrixShape], target_ii: usize) -> Result<FoldMap, FoldError> {
    if target_ii == 0 {
        return Err(FoldError::ZeroTarget);
    }
    let mut out = FoldMap::new();
    for l in layers {
        let best = divisors(l.mh)
            .into_iter()
            .flat_map(|pe| divisors(l.mw).into_iter().map(move |simd| Folding { pe, simd }))
            .filter(|f| f.cycles(l.mh, l.mw) <= target_ii)
            .min_by_key(|f| (f.pe * f.simd, f.pe.max(f.simd), f.pe))
            .expect("PE = MH, SIMD = MW takes one cycle");
        out.insert(l.name.clone(), best);
    }
    Ok(out)
}

/// Reads a fold file: one TOML table per layer with `pe` and `simd`. Layers it omits run
/// fully folded (PE = SIMD = 1).
pub fn parse_fold_file(text: &str, layers: &[MatrixShape]) -> Result<FoldMap, FoldError> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Entry {
        pe: usize,
        simd: usize,
    }
    let table: BTreeMap<String, Entry> = toml::from_str(text).map_err(|e| FoldError::Parse(e.to_string()))?;
    let mut out: FoldMap = layers.iter().map(|l| (l.name.clone(), Folding { pe: 1, simd: 1 })).collect();
    for (name, e) in table {
        let Some(l) = layers.iter().find(|l| l.name == name) else {
            let names: Vec<_> = layers.iter().map(|l| l.name.as_str()).collect();
            return Err(FoldError::UnknownLayer(name, names.join(", ")));
        };
        out.insert(name.clone(), Folding::new(&name, l.mh, l.mw, e.pe, e.simd)?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(name: &str, mh: usize, mw: usize) -> MatrixShape {
        MatrixShape { name: name.into(), mh, mw }
    }

    #[test]
    fn choose_meets_target_cheaply() {
        let layers = [shape("a", 64, 784), shape("b", 10, 64)];
        let f = choose(&layers, 784).unwrap();
        assert_eq!(f["a"].cycles(64, 784), 784);
        assert_eq!(f["a"].pe * f["a"].simd, 64);
        assert!(f["b"].cycles(10, 64) <= 784);
        assert_eq!((f["b"].pe, f["b"].simd), (1, 1));
        assert!(choose(&layers, 0).is_err());
    }

    #[test]
    fn fold_file_checks_divisors_and_names() {
        let layers = [shape("fc0", 64, 784)];
        let f = parse_fold_file("[fc0]\npe = 16\nsimd = 49\n", &layers).unwrap();
        assert_eq!(f["fc0"], Folding { pe: 16, simd: 49 });
        assert!(matches!(parse_fold_file("[fc0]\npe = 65\nsimd = 1\n", &layers), Err(FoldError::OutOfRange { .. })));
        assert!(matches!(parse_fold_file("[fc0]\npe = 1\nsimd = 1025\n", &layers), Err(FoldError::OutOfRange { .. })));
        assert!(matches!(parse_fold_file("[fc0]\npe = 0\nsimd = 1\n", &layers), Err(FoldError::OutOfRange { .. })));
        assert!(matches!(parse_fold_file("[fc9]\npe = 1\nsimd = 1\n", &layers), Err(FoldError::UnknownLayer(..))));
        assert!(matches!(parse_fold_file("[fc0]\npe = 1\n", &layers), Err(FoldError::Parse(_))));
    }

    #[test]
    fn fold_file_accepts_padded_foldings() {
        // BNN-PYNQ's LFC: SIMD 64 on 784 inputs, PE 16 on 10 outputs.
        let layers = [shape("fc0", 1024, 784), shape("fc3", 10, 1024)];
        let f = parse_fold_file("[fc0]\npe = 32\nsimd = 64\n[fc3]\npe = 16\nsimd = 8\n", &layers).unwrap();
        assert_eq!(f["fc0"], Folding { pe: 32, simd: 64 });
        assert!(f["fc0"].pads(1024, 784) && f["fc3"].pads(10, 1024));
        assert_eq!((f["fc0"].sf(784), f["fc0"].nf(1024), f["fc0"].cycles(1024, 784)), (13, 32, 416));
        assert_eq!((f["fc3"].sf(1024), f["fc3"].nf(10), f["fc3"].cycles(10, 1024)), (128, 1, 128));
        let e = parse_fold_file("[fc3]\npe = 17\nsimd = 8\n", &layers).unwrap_err();
        assert!(e.to_string().contains("PE 17 must be in 1..=16 (MH 10)"), "{e}");
        // The search still prefers divisors.
        let c = choose(&layers, 416).unwrap();
        assert!(!c["fc0"].pads(1024, 784) && !c["fc3"].pads(10, 1024));
    }

    #[test]
    fn fold_file_reading_is_bounded() {
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("big.toml");
        std::fs::write(&big, vec![b'#'; MAX_FOLD_FILE_BYTES as usize + 1]).unwrap();
        assert!(matches!(read_fold_file(&big), Err(FoldError::TooLarge { .. })));
        let missing = read_fold_file(&dir.path().join("nope.toml")).unwrap_err();
        assert!(matches!(missing, FoldError::Read { .. }), "{missing}");
        if std::path::Path::new("/dev/zero").exists() {
            assert!(matches!(read_fold_file("/dev/zero".as_ref()), Err(FoldError::TooLarge { .. })));
        }
    }
}
