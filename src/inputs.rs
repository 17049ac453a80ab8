//! Images and labels from the command line, shared by `infer`, `sim` and `run`.

use anyhow::{bail, Result};
use bitloom_compiler::data;
use std::path::Path;

/// The first `limit` images of `path` (IDX, plain or gzip, or .npy; all of them without a
/// limit), each checked to have the `len` elements of `what` (e.g. "the model input").
pub fn load_images(path: &Path, len: usize, limit: Option<usize>, what: &str) -> Result<Vec<Vec<u8>>> {
    let images = data::read_images(path, limit)?;
    if images.shape.iter().product::<usize>() != len {
        bail!("{}: images of shape {:?} do not fit {what} of {len} elements", path.display(), images.shape);
    }
    let n = limit.unwrap_or(images.count).min(images.count);
    Ok((0..n).map(|i| images.image(i).to_vec()).collect())
}

/// How many `predictions` (one per image used, in order) equal their labels in `labels`. The
/// label file must hold exactly one label per image of the image file `images` (all of its
/// images, not only those used), and every label must be a class of the model's `classes`
/// outputs.
pub fn count_correct(labels: &Path, images: &Path, predictions: &[usize], classes: usize) -> Result<usize> {
    let values = data::load_labels(labels)?;
    let count = data::image_count(images)?;
    if values.len() != count {
        bail!("{}: {} labels for the {count} images of {}", labels.display(), values.len(), images.display());
    }
    if let Some((i, l)) = values.iter().enumerate().find(|(_, &l)| usize::from(l) >= classes) {
        bail!(
            "{}: label {i} is {l}, but the model has {classes} classes (0 to {})",
            labels.display(),
            classes.saturating_sub(1)
        );
    }
    Ok(predictions.iter().zip(&values).filter(|(p, l)| **p == usize::from(**l)).count())
}
