//! Command-line specifications: the architecture (`mlp:784-256-256-10`,
//! `cnn:1x28x28-c3x16-p2-c3x32-p2-d64-10`) and the method
//! (`float`, `bnn`, `xnor`, `horq:K`, `inq:B`, `qil:W/A`).

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};
use std::fmt;

/// One weight layer of an architecture, with the map it reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LayerShape {
    /// Fully connected, `out × fan_in` (after convolutions, `fan_in` is the map's channels-last vector).
    Dense {
        /// Inputs.
        fan_in: usize,
        /// Outputs.
        out: usize,
    },
    /// A `kernel × kernel` convolution (stride 1, no padding) of a `channels × height × width`
    /// map into `out` channels, then, when `pool > 1`, a `pool × pool` max-pool with stride `pool`.
    Conv {
        /// Input channels.
        channels: usize,
        /// Input height.
        height: usize,
        /// Input width.
        width: usize,
        /// Kernel size.
        kernel: usize,
        /// Output channels.
        out: usize,
        /// Max-pool window after the activation (1: none).
        pool: usize,
    },
}

impl LayerShape {
    /// Weights per output (a weight matrix row).
    pub fn fan_in(&self) -> usize {
        match *self {
            LayerShape::Dense { fan_in, .. } => fan_in,
            LayerShape::Conv { channels, kernel, .. } => channels.saturating_mul(kernel * kernel),
        }
    }

    /// Outputs (dense) or output channels (convolution): the weight matrix's rows.
    pub fn out(&self) -> usize {
        match *self {
            LayerShape::Dense { out, .. } | LayerShape::Conv { out, .. } => out,
        }
    }

    /// The convolution's output map before pooling, `(height, width)`.
    pub fn conv_out(&self) -> Option<(usize, usize)> {
        match *self {
            LayerShape::Conv { height, width, kernel, .. } => Some((height + 1 - kernel, width + 1 - kernel)),
            LayerShape::Dense { .. } => None,
        }
    }

    /// Elements this layer hands on (after pooling).
    pub fn output_len(&self) -> usize {
        match *self {
            LayerShape::Dense { out, .. } => out,
            LayerShape::Conv { out, pool, .. } => {
                let (h, w) = self.conv_out().unwrap_or((0, 0));
                out * (h / pool) * (w / pool)
            }
        }
    }
}

/// A token of a `cnn:` specification.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CnnToken {
    /// `cKxN`: K×K convolution into N channels.
    Conv {
        /// K.
        kernel: usize,
        /// N.
        out: usize,
    },
    /// `pK`: K×K max-pool, stride K.
    Pool(usize),
    /// `dN`: hidden dense layer of N.
    Dense(usize),
}

/// A network architecture.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Arch {
    /// Fully connected layers of these sizes, input first.
    Mlp(Vec<usize>),
    /// Convolutions (each maybe pooled), then dense layers, then the classes.
    Cnn {
        /// Input channels, height, width.
        input: [usize; 3],
        /// The layers between input and classes.
        body: Vec<CnnToken>,
        /// Output classes.
        classes: usize,
    },
}

/// The largest size of any dimension, and of any weight matrix (bounded allocation).
const MAX_DIM: usize = 1 << 16;
const MAX_WEIGHTS: usize = 1 << 26;

impl Arch {
    /// Parses `mlp:784-256-256-10` or `cnn:1x28x28-c3x16-p2-c3x32-p2-d64-10`.
    ///
    /// The `cnn:` grammar: the input `CxHxW`, then any of `cKxN` (a K×K convolution, stride 1,
    /// no padding, into N channels, with batch-norm and the method's activation), `pK` (a K×K
    /// max-pool with stride K, right after a convolution), `dN` (a hidden dense layer of N, after
    /// which no convolution may come), and last the number of classes.
    pub fn parse(s: &str) -> Result<Arch> {
        let Some((kind, rest)) = s.split_once(':') else {
            bail!("architecture {s:?}: expected mlp:IN-H1-…-OUT (e.g. mlp:784-256-256-10) or cnn:CxHxW-cKxN-pK-dN-…-OUT (e.g. cnn:1x28x28-c3x16-p2-d64-10)");
        };
        let num = |t: &str, what: &str| -> Result<usize> {
            let n: usize = t.parse().with_context(|| format!("architecture {s:?}: {what} {t:?} is not a size"))?;
            if n == 0 || n > MAX_DIM {
                bail!("architecture {s:?}: {what} {n} must be in 1..={MAX_DIM}");
            }
            Ok(n)
        };
        let arch = match kind {
            "mlp" => {
                let sizes: Vec<usize> = rest.split('-').map(|n| num(n, "size")).collect::<Result<_>>()?;
                if sizes.len() < 2 {
                    bail!("architecture {s:?}: need at least an input and an output size");
                }
                Arch::Mlp(sizes)
            }
            "cnn" => {
                let tokens: Vec<&str> = rest.split('-').collect();
                if tokens.len() < 2 || tokens.len() > 64 {
                    bail!("architecture {s:?}: expected CxHxW, then 1 to 62 layers, then the classes");
                }
                let dims: Vec<usize> = tokens[0].split('x').map(|n| num(n, "input dimension")).collect::<Result<_>>()?;
                let [c, h, w] = dims[..] else { bail!("architecture {s:?}: the input {:?} must be CxHxW", tokens[0]) };
                let mut body = Vec::new();
                for t in &tokens[1..tokens.len() - 1] {
                    body.push(if let Some(kn) = t.strip_prefix('c') {
                        let Some((k, n)) = kn.split_once('x') else { bail!("architecture {s:?}: {t:?} must be cKxN") };
                        CnnToken::Conv { kernel: num(k, "kernel")?, out: num(n, "channels")? }
                    } else if let Some(k) = t.strip_prefix('p') {
                        CnnToken::Pool(num(k, "pool")?)
                    } else if let Some(n) = t.strip_prefix('d') {
                        CnnToken::Dense(num(n, "dense size")?)
                    } else {
                        bail!("architecture {s:?}: {t:?} is none of cKxN, pK, dN");
                    });
                }
                let classes = num(tokens[tokens.len() - 1], "classes")?;
                Arch::Cnn { input: [c, h, w], body, classes }
            }
            other => bail!("architecture {s:?}: unknown kind {other:?}, expected mlp or cnn"),
        };
        arch.check().with_context(|| format!("architecture {s:?}"))?;
        Ok(arch)
    }

    /// The shapes are consistent and allocation is bounded.
    fn check(&self) -> Result<()> {
        if let Arch::Cnn { body, .. } = self {
            if !body.iter().any(|t| matches!(t, CnnToken::Conv { .. })) {
                bail!("a cnn needs at least one convolution (use mlp: for dense layers only)");
            }
        }
        for l in self.layers()? {
            if l.fan_in().saturating_mul(l.out()) > MAX_WEIGHTS {
                bail!("a layer of {} × {} weights is over the limit of {MAX_WEIGHTS}", l.out(), l.fan_in());
            }
        }
        Ok(())
    }

    /// The weight layers, input first.
    pub fn layers(&self) -> Result<Vec<LayerShape>> {
        match self {
            Arch::Mlp(sizes) => Ok(sizes.windows(2).map(|p| LayerShape::Dense { fan_in: p[0], out: p[1] }).collect()),
            Arch::Cnn { input: [c0, h0, w0], body, classes } => {
                let (mut c, mut h, mut w) = (*c0, *h0, *w0);
                let mut flat: Option<usize> = None;
                let mut layers: Vec<LayerShape> = Vec::new();
                for t in body {
                    match *t {
                        CnnToken::Conv { kernel, out } => {
                            if flat.is_some() {
                                bail!("a convolution cannot follow a dense layer");
                            }
                            if kernel > h || kernel > w {
                                bail!("kernel {kernel} does not fit the {h}×{w} map");
                            }
                            layers.push(LayerShape::Conv { channels: c, height: h, width: w, kernel, out, pool: 1 });
                            (c, h, w) = (out, h + 1 - kernel, w + 1 - kernel);
                        }
                        CnnToken::Pool(k) => {
                            let Some(LayerShape::Conv { pool, .. }) = layers.last_mut().filter(|_| flat.is_none()) else {
                                bail!("pooling p{k} must follow a convolution");
                            };
                            if *pool != 1 {
                                bail!("one pooling per convolution");
                            }
                            if k < 2 || k > h || k > w {
                                bail!("pool {k} does not fit the {h}×{w} map (need 2 ≤ K ≤ the map's sides)");
                            }
                            *pool = k;
                            (h, w) = (h / k, w / k);
                        }
                        CnnToken::Dense(n) => {
                            let fan_in = flat.unwrap_or(c.saturating_mul(h).saturating_mul(w));
                            layers.push(LayerShape::Dense { fan_in, out: n });
                            flat = Some(n);
                        }
                    }
                }
                layers.push(LayerShape::Dense { fan_in: flat.unwrap_or(c.saturating_mul(h).saturating_mul(w)), out: *classes });
                Ok(layers)
            }
        }
    }

    /// Input elements (pixels).
    pub fn input_len(&self) -> usize {
        match self {
            Arch::Mlp(sizes) => sizes[0],
            Arch::Cnn { input, .. } => input.iter().product(),
        }
    }

    /// Outputs (classes).
    pub fn classes(&self) -> usize {
        match self {
            Arch::Mlp(sizes) => sizes[sizes.len() - 1],
            Arch::Cnn { classes, .. } => *classes,
        }
    }
}

impl fmt::Display for Arch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Arch::Mlp(s) => {
                let parts: Vec<String> = s.iter().map(|n| n.to_string()).collect();
                write!(f, "mlp:{}", parts.join("-"))
            }
            Arch::Cnn { input: [c, h, w], body, classes } => {
                write!(f, "cnn:{c}x{h}x{w}")?;
                for t in body {
                    match t {
                        CnnToken::Conv { kernel, out } => write!(f, "-c{kernel}x{out}")?,
                        CnnToken::Pool(k) => write!(f, "-p{k}")?,
                        CnnToken::Dense(n) => write!(f, "-d{n}")?,
                    }
                }
                write!(f, "-{classes}")
            }
        }
    }
}

/// A quantization method.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Method {
    /// f32 weights and activations (the baseline; activations are clipped to [0, 1]).
    Float,
    /// BNN: ±1 weights and activations.
    Bnn,
    /// XNOR-Net: ±1 weights with a per-output scale, ±1 activations.
    Xnor,
    /// HORQ of this order on every layer's input, ±1 weights with a per-output scale.
    Horq(u32),
    /// INQ with weights of this many bits (0 or ±2^e), 8-bit activations.
    Inq(u32),
    /// QIL with these weight and activation bit widths.
    Qil {
        /// Weight bits.
        w: u32,
        /// Activation bits.
        a: u32,
    },
}

impl Method {
    /// Parses `float`, `bnn`, `xnor`, `horq:K`, `inq:B`, `qil:W/A`.
    pub fn parse(s: &str) -> Result<Method> {
        let num = |t: &str, what: &str, lo: u32, hi: u32| -> Result<u32> {
            let v: u32 = t.parse().with_context(|| format!("method {s:?}: {what} {t:?} is not a number"))?;
            if !(lo..=hi).contains(&v) {
                bail!("method {s:?}: {what} must be in {lo}..={hi}, got {v}");
            }
            Ok(v)
        };
        Ok(match s.split_once(':') {
            None if s == "float" => Method::Float,
            None if s == "bnn" => Method::Bnn,
            None if s == "xnor" => Method::Xnor,
            Some(("horq", k)) => Method::Horq(num(k, "order", 1, 8)?),
            Some(("inq", b)) => Method::Inq(num(b, "bits", 2, 8)?),
            Some(("qil", wa)) => {
                let Some((w, a)) = wa.split_once('/') else { bail!("method {s:?}: expected qil:W/A, e.g. qil:4/4") };
                Method::Qil { w: num(w, "weight bits", 2, 8)?, a: num(a, "activation bits", 1, 8)? }
            }
            _ => bail!("unknown method {s:?}: expected float, bnn, xnor, horq:K, inq:B or qil:W/A"),
        })
    }

    /// Whether `bitloom train` trains it from scratch (INQ and QIL start from a float model).
    pub fn trains_from_scratch(&self) -> bool {
        matches!(self, Method::Float | Method::Bnn | Method::Xnor | Method::Horq(_))
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Method::Float => write!(f, "float"),
            Method::Bnn => write!(f, "bnn"),
            Method::Xnor => write!(f, "xnor"),
            Method::Horq(k) => write!(f, "horq:{k}"),
            Method::Inq(b) => write!(f, "inq:{b}"),
            Method::Qil { w, a } => write!(f, "qil:{w}/{a}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_print() {
        assert_eq!(Arch::parse("mlp:784-256-10").unwrap(), Arch::Mlp(vec![784, 256, 10]));
        assert_eq!(Arch::parse("mlp:784-256-10").unwrap().to_string(), "mlp:784-256-10");
        for bad in ["mlp:784", "mlp:784-0-10", "mlp:a-b", "784-10", "rnn:1-2"] {
            assert!(Arch::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(Arch::parse("mlp:784-256-10").unwrap().layers().unwrap()[1], LayerShape::Dense { fan_in: 256, out: 10 });
        for (s, m) in [
            ("float", Method::Float),
            ("bnn", Method::Bnn),
            ("xnor", Method::Xnor),
            ("horq:2", Method::Horq(2)),
            ("inq:5", Method::Inq(5)),
            ("qil:4/3", Method::Qil { w: 4, a: 3 }),
        ] {
            assert_eq!(Method::parse(s).unwrap(), m);
            assert_eq!(m.to_string(), s);
        }
        for bad in ["horq:0", "inq:9", "qil:4", "qil:1/4", "ternary", "inq:x"] {
            assert!(Method::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn cnn_shapes_by_hand() {
        let spec = "cnn:1x28x28-c3x16-p2-c3x32-p2-d64-10";
        let a = Arch::parse(spec).unwrap();
        assert_eq!(a.to_string(), spec);
        assert_eq!((a.input_len(), a.classes()), (784, 10));
        let l = a.layers().unwrap();
        // 28 → conv 3 → 26 → pool 2 → 13 → conv 3 → 11 → pool 2 → 5 (floor): 32·5·5 = 800 inputs.
        assert_eq!(l[0], LayerShape::Conv { channels: 1, height: 28, width: 28, kernel: 3, out: 16, pool: 2 });
        assert_eq!(l[1], LayerShape::Conv { channels: 16, height: 13, width: 13, kernel: 3, out: 32, pool: 2 });
        assert_eq!((l[1].fan_in(), l[1].conv_out(), l[1].output_len()), (144, Some((11, 11)), 800));
        assert_eq!(l[2], LayerShape::Dense { fan_in: 800, out: 64 });
        assert_eq!(l[3], LayerShape::Dense { fan_in: 64, out: 10 });
        // No dense hidden layer: the classes read the last map.
        let b = Arch::parse("cnn:3x8x6-c3x4-10").unwrap();
        assert_eq!(b.layers().unwrap()[1], LayerShape::Dense { fan_in: 4 * 6 * 4, out: 10 });
        for (bad, why) in [
            ("cnn:1x28x28-10", "at least one convolution"),
            ("cnn:1x28x28-c29x4-10", "kernel 29 does not fit the 28×28 map"),
            ("cnn:1x4x4-c3x4-p3-10", "pool 3 does not fit the 2×2 map"),
            ("cnn:1x28x28-p2-c3x4-10", "must follow a convolution"),
            ("cnn:1x28x28-c3x4-p2-p2-10", "one pooling per convolution"),
            ("cnn:1x28x28-c3x4-d10-c3x4-10", "cannot follow a dense layer"),
            ("cnn:28x28-c3x4-10", "must be CxHxW"),
            ("cnn:1x28x28-c3-10", "must be cKxN"),
            ("cnn:1x28x28-q3-10", "none of cKxN"),
            ("cnn:1x28x28-c3x0-10", "must be in 1..="),
            ("cnn:1x9000x9000-c1x9000-10", "over the limit"),
        ] {
            let e = format!("{:#}", Arch::parse(bad).unwrap_err());
            assert!(e.contains(why), "{bad}: {e}");
        }
    }
}
