//! The geometry of `Conv` and `MaxPool`: which attribute values the native layers (K×K windows,
//! one stride, no padding, no dilation, no groups) can hold, and the output shape. Shared by shape
//! inference ([`crate::fold`]) and the chain ([`crate::chain`]); every error names the node and
//! the attribute.

use crate::error::ImportError;
use crate::graph::{Node, Window};
use bitloom_compiler::model::FeatureMap;

/// A checked 2-D window on one `[1, C, H, W]` tensor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Geometry {
    /// The incoming map (C × H × W).
    pub input: FeatureMap,
    /// K.
    pub kernel: usize,
    /// S.
    pub stride: usize,
    /// The outgoing map.
    pub output: FeatureMap,
}

/// The geometry of a `Conv` on `x` (`[1, C, H, W]`) with weights of shape `w` (`[O, C, K, K]`).
pub fn conv(node: &Node, a: &Window, x: &[usize], w: &[usize]) -> Result<Geometry, ImportError> {
    let input = map_of(node, x)?;
    if a.group != 1 {
        return Err(node.unsupported(format!(
            "attribute group = {} is not supported: grouped and depthwise convolutions are not in the native format \
             (group must be 1)",
            a.group
        )));
    }
    let &[o, c, kh, kw] = w else {
        return Err(node.invalid(format!("the weight must be 4-D [out, in, kH, kW], found {w:?}")));
    };
    if c != input.channels {
        return Err(
            node.invalid(format!("the weight {w:?} has {c} input channels; the input {x:?} has {}", input.channels))
        );
    }
    if o == 0 {
        return Err(node.invalid("the weight has no output channels"));
    }
    if let Some(k) = &a.kernel_shape {
        if k.len() != 2 || k[0] != kh as i64 || k[1] != kw as i64 {
            return Err(node.invalid(format!("kernel_shape {k:?} does not match the weight {w:?}")));
        }
    }
    let kernel = square(node, kh, kw)?;
    window(node, a, input, kernel, o)
}

/// The geometry of a `MaxPool` on `x` (`[1, C, H, W]`).
pub fn pool(node: &Node, a: &Window, x: &[usize]) -> Result<Geometry, ImportError> {
    let input = map_of(node, x)?;
    let k = a.kernel_shape.as_ref().ok_or_else(|| node.invalid("attribute \"kernel_shape\" is required"))?;
    let [kh, kw] = k[..] else {
        return Err(node.unsupported(format!("kernel_shape {k:?}: only 2-D pooling is supported")));
    };
    if kh < 1 || kw < 1 {
        return Err(node.invalid(format!("kernel_shape {k:?} must be positive")));
    }
    let kernel = square(node, kh as usize, kw as usize)?;
    let g = window(node, a, input, kernel, input.channels)?;
    if a.ceil_mode && ((input.height - kernel) % g.stride != 0 || (input.width - kernel) % g.stride != 0) {
        return Err(node.unsupported(format!(
            "attribute ceil_mode = 1 adds a partial window at the edge of the {}×{} map (kernel {kernel}, stride {}), \
             which the native max pooling does not have; use ceil_mode = 0",
            input.height, input.width, g.stride
        )));
    }
    Ok(g)
}

fn map_of(node: &Node, x: &[usize]) -> Result<FeatureMap, ImportError> {
    match *x {
        [1, channels, height, width] => Ok(FeatureMap { channels, height, width }),
        _ => Err(node.unsupported(format!(
            "only 2-D windows on one image of shape [1, C, H, W] are supported; the input has shape {x:?}"
        ))),
    }
}

fn square(node: &Node, kh: usize, kw: usize) -> Result<usize, ImportError> {
    if kh != kw {
        return Err(node.unsupported(format!(
            "kernel {kh}×{kw} is not square: the native layers have K×K windows (attribute kernel_shape)"
        )));
    }
    Ok(kh)
}

/// Strides, dilations, pads, auto_pad, and the fit of the window.
fn window(node: &Node, a: &Window, input: FeatureMap, kernel: usize, channels: usize) -> Result<Geometry, ImportError> {
    match a.auto_pad.as_str() {
        "NOTSET" | "VALID" | "" => {}
        p @ ("SAME_UPPER" | "SAME_LOWER") => {
            return Err(node.unsupported(format!(
                "attribute auto_pad = {p} pads the input; the native layers have no padding (use VALID or NOTSET with pads 0)"
            )))
        }
        p => return Err(node.invalid(format!("unknown auto_pad {p:?}"))),
    }
    let two = |name: &str, v: &Option<Vec<i64>>, default: i64| -> Result<[i64; 2], ImportError> {
        match v.as_deref() {
            None => Ok([default; 2]),
            Some(&[a, b]) => Ok([a, b]),
            Some(v) => Err(node.invalid(format!("attribute {name} {v:?} must have 2 values (height, width)"))),
        }
    };
    let strides = two("strides", &a.strides, 1)?;
    if strides.iter().any(|&s| s < 1) {
        return Err(node.invalid(format!("attribute strides {strides:?} must be positive")));
    }
    if strides[0] != strides[1] {
        return Err(node.unsupported(format!(
            "attribute strides {strides:?} differ: the native layers move the window by one stride in both directions"
        )));
    }
    let dilations = two("dilations", &a.dilations, 1)?;
    if dilations != [1, 1] {
        return Err(node.unsupported(format!(
            "attribute dilations {dilations:?} is not supported: the native window is dense (dilations must be 1)"
        )));
    }
    if let Some(p) = &a.pads {
        if p.len() != 4 {
            return Err(node.invalid(format!("attribute pads {p:?} must have 4 values")));
        }
        if p.iter().any(|&v| v != 0) {
            return Err(node.unsupported(format!(
                "attribute pads {p:?} is not supported: the native layers have no padding (pads must be all zero)"
            )));
        }
    }
    let stride = strides[0] as usize;
    match (FeatureMap::windows(input.height, kernel, stride), FeatureMap::windows(input.width, kernel, stride)) {
        (Some(height), Some(width)) => {
            Ok(Geometry { input, kernel, stride, output: FeatureMap { channels, height, width } })
        }
        _ => {
            Err(node
                .invalid(format!("a {kernel}×{kernel} window does not fit the {}×{} map", input.height, input.width)))
        }
    }
}
