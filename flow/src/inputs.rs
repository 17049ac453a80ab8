//! Images and labels from the command line, shared by `infer`, `sim` and `run`.

use anyhow::{bail, Result};
use bitloom_compiler::data;
use bitloom_compiler::model::{InputSpec, SourceLayout};
use std::path::Path;

/// The first `limit` images of `path` (IDX, plain or gzip, or .npy; all of them without a
/// limit) as input vectors of `input` (`what` names it in errors, e.g. "the model input").
///
/// An image's shape must be the input's (dimensions of size 1 aside: IDX `[28, 28]` fits
/// `[1, 28, 28]`), or, for a model imported from an NCHW graph, the source shape `[C, H, W]`
/// (PyTorch's and FINN's layout), which is transposed to the channels-last native order. A
/// one-channel input also takes any shape of the same size (its row-major order is the same).
/// Anything else is an error naming both shapes.
pub fn load_images(path: &Path, input: &InputSpec, limit: Option<usize>, what: &str) -> Result<Vec<Vec<u8>>> {
    let images = data::read_images(path, limit)?;
    let source = match arrangement(&images.shape, input) {
        Ok(s) => s,
        Err(why) => bail!("{}: images of shape {:?} do not fit {what}: {why}", path.display(), images.shape),
    };
    let n = limit.unwrap_or(images.count).min(images.count);
    Ok((0..n).map(|i| to_native(images.image(i), source)).collect())
}

/// One image as the input vector: as it is, or transposed from the source layout.
pub fn to_native(x: &[u8], source: Option<SourceLayout>) -> Vec<u8> {
    match source {
        None => x.to_vec(),
        Some(src) => {
            let mut v = vec![0; x.len()];
            for (j, &p) in x.iter().enumerate() {
                v[src.native_index(j)] = p;
            }
            v
        }
    }
}

/// One line on what the input is and what the source network expected of it, e.g.
/// `uint8 [32, 32, 3] (HWC; NCHW [3, 32, 32] images are transposed), raw pixels; the source graph saw raw·1/255`.
pub fn describe_input(input: &InputSpec) -> String {
    let mut s = format!("{} {:?}", input.dtype, input.shape);
    if let Some(src) = input.source {
        s += &format!(" (HWC; NCHW {:?} images are transposed)", src.shape());
    }
    if input.convention.is_identity() {
        s += ", raw integers";
    } else {
        s += &format!(", raw integers; the source graph saw {} (folded into the first layer)", input.convention);
    }
    s
}

/// How images of `shape` become input vectors of `input` (see [`load_images`]): as they are
/// (`None`) or transposed from the source layout ([`to_native`]); the reason, naming the
/// input's shapes, when they do not fit.
pub fn arrangement(shape: &[usize], input: &InputSpec) -> Result<Option<SourceLayout>, String> {
    let squeeze = |s: &[usize]| s.iter().copied().filter(|&d| d != 1).collect::<Vec<_>>();
    let got = squeeze(shape);
    if got == squeeze(&input.shape) {
        return Ok(None);
    }
    if let Some(src) = input.source {
        if got == squeeze(&src.shape()) {
            return Ok(Some(src));
        }
    }
    let size: usize = shape.iter().product();
    if input.channels() == 1 && input.source.is_none() && size == input.len() {
        return Ok(None);
    }
    Err(match input.source {
        Some(src) => format!(
            "the input is {:?} channels-last (HWC), from the source graph's NCHW {:?}: give images of either shape",
            input.shape,
            src.shape()
        ),
        None => format!("the input is {:?} ({} elements)", input.shape, input.len()),
    })
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

#[cfg(test)]
mod tests {
    use super::*;
    use bitloom_compiler::types::DataType;

    #[test]
    fn shapes_fit_or_name_both() {
        let mnist = InputSpec::new(vec![1, 28, 28], DataType::UInt(8));
        assert_eq!(arrangement(&[28, 28], &mnist).unwrap(), None);
        assert_eq!(arrangement(&[784], &mnist).unwrap(), None, "one channel: any shape of the same size");
        let flat = InputSpec::new(vec![784], DataType::UInt(8));
        assert_eq!(arrangement(&[28, 28], &flat).unwrap(), None);
        let src = SourceLayout::Nchw { channels: 3, height: 4, width: 5 };
        let cnv = InputSpec { source: Some(src), ..InputSpec::new(vec![4, 5, 3], DataType::UInt(8)) };
        assert_eq!(arrangement(&[4, 5, 3], &cnv).unwrap(), None);
        assert_eq!(arrangement(&[3, 4, 5], &cnv).unwrap(), Some(src));
        assert_eq!(arrangement(&[1, 3, 4, 5], &cnv).unwrap(), Some(src));
        let e = arrangement(&[60], &cnv).unwrap_err();
        assert!(e.contains("[4, 5, 3]") && e.contains("[3, 4, 5]"), "{e}");
        // a row-major 3-channel input (no convolution) takes only its own shape
        let rgb = InputSpec::new(vec![3, 4, 5], DataType::UInt(8));
        assert!(arrangement(&[4, 5, 3], &rgb).is_err());
        // NCHW element (c, y, x) lands at (y·W + x)·C + c
        assert_eq!(src.native_index(20 + 5 + 2), (5 + 2) * 3 + 1);
    }
}
