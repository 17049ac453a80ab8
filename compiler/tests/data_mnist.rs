//! The MNIST subset shipped in `tests/data` (see `tests/data/README.md`) loads as documented.

use bitloom_compiler::data::{load_images, load_labels};
use std::path::PathBuf;

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/data").join(name)
}

#[test]
fn subset_has_200_balanced_digits() {
    let images = load_images(&data("mnist-images.idx.gz")).unwrap();
    let labels = load_labels(&data("mnist-labels.idx.gz")).unwrap();
    assert_eq!(images.count, 200);
    assert_eq!(images.shape, vec![28, 28]);
    assert_eq!(images.pixels.len(), 200 * 784);
    assert_eq!(labels.len(), 200);
    // Interleaved digit by digit: 0, 1, …, 9, 0, 1, …
    for (i, &l) in labels.iter().enumerate() {
        assert_eq!(usize::from(l), i % 10, "label {i}");
    }
    let mut per_digit = [0usize; 10];
    for &l in &labels {
        per_digit[usize::from(l)] += 1;
    }
    assert_eq!(per_digit, [20; 10]);
}

#[test]
fn subset_pixels_look_like_digits() {
    let images = load_images(&data("mnist-images.idx.gz")).unwrap();
    let mut seen = std::collections::HashSet::new();
    let (mut ink_total, mut ink_border) = (0u64, 0u64);
    for (i, img) in images.iter().enumerate() {
        // MNIST digits: dark background, bright strokes in the middle.
        let bright = img.iter().filter(|&&p| p >= 128).count();
        assert!((20..=400).contains(&bright), "image {i}: {bright} bright pixels");
        assert!(img.iter().max().is_some_and(|&m| m >= 250), "image {i}: no bright stroke");
        for (k, &p) in img.iter().enumerate() {
            let (r, c) = (k / 28, k % 28);
            ink_total += u64::from(p);
            if !(2..26).contains(&r) || !(2..26).contains(&c) {
                ink_border += u64::from(p);
            }
        }
        assert!(seen.insert(img.to_vec()), "image {i} is a duplicate");
    }
    assert!(ink_border * 100 < ink_total, "{ink_border} of {ink_total} ink on the 2-pixel border");
}
