//! Element data types carried on every tensor and stream edge.

use serde::{Deserialize, Serialize};

/// The integer type of one tensor element.
///
/// `Bipolar` is one bit where 1 means +1 and 0 means −1. `UInt(b)` and `Int(b)` are
/// unsigned and two's-complement integers of `b` bits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", content = "bits", rename_all = "lowercase")]
pub enum DataType {
    /// One bit: 1 is +1, 0 is −1.
    Bipolar,
    /// Unsigned integer of the given width.
    UInt(u32),
    /// Two's-complement signed integer of the given width.
    Int(u32),
}

impl DataType {
    /// Width of one element in bits.
    pub fn bits(self) -> u32 {
        match self {
            DataType::Bipolar => 1,
            DataType::UInt(b) | DataType::Int(b) => b,
        }
    }

    /// Smallest value of the type.
    pub fn min(self) -> i64 {
        match self {
            DataType::Bipolar => -1,
            DataType::UInt(_) => 0,
            DataType::Int(b) => -(1i64 << (b - 1)),
        }
    }

    /// Largest value of the type.
    pub fn max(self) -> i64 {
        match self {
            DataType::Bipolar => 1,
            DataType::UInt(b) => (1i64 << b) - 1,
            DataType::Int(b) => (1i64 << (b - 1)) - 1,
        }
    }

    /// Whether `v` is representable.
    pub fn contains(self, v: i64) -> bool {
        match self {
            DataType::Bipolar => v == 1 || v == -1,
            _ => (self.min()..=self.max()).contains(&v),
        }
    }

    /// The narrowest type holding every value of `lo..=hi`: unsigned when `lo >= 0`.
    pub fn smallest_for(lo: i64, hi: i64) -> DataType {
        assert!(lo <= hi, "empty range {lo}..={hi}");
        if lo >= 0 {
            let b = 64 - (hi as u64).leading_zeros();
            DataType::UInt(b.max(1))
        } else {
            let mut b = 1;
            while !(DataType::Int(b).min() <= lo && hi <= DataType::Int(b).max()) {
                b += 1;
            }
            DataType::Int(b)
        }
    }

    /// Encodes `v` into the low `bits()` bits of a word (bipolar: +1 → 1, −1 → 0).
    pub fn encode(self, v: i64) -> u64 {
        match self {
            DataType::Bipolar => u64::from(v > 0),
            _ => (v as u64) & mask(self.bits()),
        }
    }

    /// Decodes the low `bits()` bits of `w` into a value.
    pub fn decode(self, w: u64) -> i64 {
        let w = w & mask(self.bits());
        match self {
            DataType::Bipolar => {
                if w & 1 == 1 {
                    1
                } else {
                    -1
                }
            }
            DataType::UInt(_) => w as i64,
            DataType::Int(b) => ((w << (64 - b)) as i64) >> (64 - b),
        }
    }
}

impl std::fmt::Display for DataType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DataType::Bipolar => write!(f, "bipolar"),
            DataType::UInt(b) => write!(f, "uint{b}"),
            DataType::Int(b) => write!(f, "int{b}"),
        }
    }
}

fn mask(bits: u32) -> u64 {
    if bits >= 64 {
        u64::MAX
    } else {
        (1u64 << bits) - 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smallest_types() {
        assert_eq!(DataType::smallest_for(0, 1), DataType::UInt(1));
        assert_eq!(DataType::smallest_for(0, 255), DataType::UInt(8));
        assert_eq!(DataType::smallest_for(0, 256), DataType::UInt(9));
        assert_eq!(DataType::smallest_for(-1, 1), DataType::Int(2));
        assert_eq!(DataType::smallest_for(-784, 784), DataType::Int(11));
        assert_eq!(DataType::smallest_for(-1024, 1023), DataType::Int(11));
    }

    #[test]
    fn encode_decode_round_trip() {
        for t in [DataType::Bipolar, DataType::UInt(3), DataType::Int(5), DataType::Int(11)] {
            let vals: Vec<i64> = if t == DataType::Bipolar { vec![-1, 1] } else { (t.min()..=t.max()).collect() };
            for v in vals {
                assert_eq!(t.decode(t.encode(v)), v, "{t} {v}");
            }
        }
    }
}
