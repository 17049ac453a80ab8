//! Command-line specifications: the architecture (`mlp:784-256-256-10`) and the method
//! (`float`, `bnn`, `xnor`, `horq:K`, `inq:B`, `qil:W/A`).

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A network architecture.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Arch {
    /// Fully connected layers of these sizes, input first.
    Mlp(Vec<usize>),
}

impl Arch {
    /// Parses `mlp:784-256-256-10`.
    pub fn parse(s: &str) -> Result<Arch> {
        let Some((kind, rest)) = s.split_once(':') else {
            bail!("architecture {s:?}: expected mlp:IN-H1-…-OUT, e.g. mlp:784-256-256-10");
        };
        match kind {
            "mlp" => {
                let sizes: Vec<usize> = rest
                    .split('-')
                    .map(|n| n.parse::<usize>().with_context(|| format!("architecture {s:?}: {n:?} is not a size")))
                    .collect::<Result<_>>()?;
                if sizes.len() < 2 || sizes.contains(&0) || sizes.iter().any(|&n| n > 1 << 16) {
                    bail!("architecture {s:?}: need at least an input and an output size, each 1..=65536");
                }
                Ok(Arch::Mlp(sizes))
            }
            "cnn" => bail!(
                "architecture {s:?}: convolutional training is not available yet (the model format and reference \
                 executor have conv2d and max_pool2d layers; `bitloom import` reads CNNs); use mlp:…"
            ),
            other => bail!("architecture {s:?}: unknown kind {other:?}, expected mlp"),
        }
    }

    /// Layer sizes, input first.
    pub fn sizes(&self) -> &[usize] {
        match self {
            Arch::Mlp(s) => s,
        }
    }
}

impl fmt::Display for Arch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Arch::Mlp(s) = self;
        let parts: Vec<String> = s.iter().map(|n| n.to_string()).collect();
        write!(f, "mlp:{}", parts.join("-"))
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
        assert!(Arch::parse("cnn:c3x16").unwrap_err().to_string().contains("not available yet"));
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
}
