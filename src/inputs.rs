//! Images and labels from the command line, shared by `infer`, `sim` and `run`.

use anyhow::{bail, Context, Result};
use bitloom_compiler::data;
use std::path::Path;

/// The first `limit` images of `path` (IDX, plain or gzip, or .npy; all of them without a
/// limit), each checked to have the `len` elements of `what` (e.g. "the model input").
pub fn load_images(path: &Path, len: usize, limit: Option<usize>, what: &str) -> Result<Vec<Vec<u8>>> {
    let images = data::load_images(path).with_context(|| format!("reading {}", path.display()))?;
    if images.shape.iter().product::<usize>() != len {
        bail!("{}: images of shape {:?} do not fit {what} of {len} elements", path.display(), images.shape);
    }
    let n = limit.unwrap_or(images.count).min(images.count);
    Ok((0..n).map(|i| images.image(i).to_vec()).collect())
}

/// How many of the `n` predictions equal the first `n` labels in `path`.
pub fn count_correct(path: &Path, predictions: impl IntoIterator<Item = usize>, n: usize) -> Result<usize> {
    let labels = data::load_labels(path).with_context(|| format!("reading {}", path.display()))?;
    if labels.len() < n {
        bail!("{}: {} labels for {n} images", path.display(), labels.len());
    }
    Ok(predictions.into_iter().zip(&labels).filter(|(p, l)| *p == usize::from(**l)).count())
}
