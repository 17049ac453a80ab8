//! Damage to valid files for the mutation tests (`compiler/tests/mutate.rs`,
//! `import/tests/mutate.rs`): bit flips, truncations, byte insertions and extreme values
//! written over length and dimension fields, as a proptest strategy.
#![allow(dead_code)]

use proptest::prelude::*;

/// One way of damaging a file.
#[derive(Clone, Debug)]
pub enum Mutation {
    /// Flip bit `bit` of the byte at `at` (a position scaled to the file length).
    Flip { at: f64, bit: u8 },
    /// Keep only the first `keep` fraction of the file.
    Truncate { keep: f64 },
    /// Insert `bytes` at `at`.
    Insert { at: f64, bytes: Vec<u8> },
    /// Overwrite the `width` bytes at `at` with an extreme value (a length or dimension field).
    Field { at: f64, width: usize, value: u64 },
}

pub fn mutation() -> impl Strategy<Value = Mutation> {
    let at = 0.0..1.0f64;
    prop_oneof![
        (at.clone(), 0u8..8).prop_map(|(at, bit)| Mutation::Flip { at, bit }),
        (0.0..1.0f64).prop_map(|keep| Mutation::Truncate { keep }),
        (at.clone(), proptest::collection::vec(any::<u8>(), 1..16))
            .prop_map(|(at, bytes)| Mutation::Insert { at, bytes }),
        (
            at,
            prop_oneof![Just(1usize), Just(2), Just(4), Just(8)],
            prop_oneof![
                Just(0u64),
                Just(1),
                Just(255),
                Just(u32::MAX as u64),
                Just(1 << 40),
                Just(u64::MAX),
                any::<u64>()
            ]
        )
            .prop_map(|(at, width, value)| Mutation::Field { at, width, value }),
    ]
}

/// The positions of a mutation are biased towards the start, where headers and length fields are.
pub fn pos(at: f64, len: usize) -> usize {
    ((at * at * at) * len as f64) as usize
}

pub fn apply(bytes: &[u8], muts: &[Mutation]) -> Vec<u8> {
    let mut b = bytes.to_vec();
    for m in muts {
        match m {
            Mutation::Flip { at, bit } if !b.is_empty() => {
                let i = pos(*at, b.len()).min(b.len() - 1);
                b[i] ^= 1 << bit;
            }
            Mutation::Flip { .. } => {}
            Mutation::Truncate { keep } => b.truncate((keep * b.len() as f64) as usize),
            Mutation::Insert { at, bytes } => {
                let i = pos(*at, b.len()).min(b.len());
                b.splice(i..i, bytes.iter().copied());
            }
            Mutation::Field { at, width, value } => {
                let i = pos(*at, b.len());
                let le = value.to_le_bytes();
                let be = value.to_be_bytes();
                for k in 0..*width {
                    if let Some(x) = b.get_mut(i + k) {
                        // IDX is big-endian, npy and safetensors little-endian: use both.
                        *x = if i % 2 == 0 { le[k] } else { be[8 - width + k] };
                    }
                }
            }
        }
    }
    b
}

/// One to three mutations.
pub fn mutations() -> impl Strategy<Value = Vec<Mutation>> {
    proptest::collection::vec(mutation(), 1..4)
}
