//! Cycle models: each block's registers and next-state logic in Rust, register for register
//! the same as its Verilog core. Each engine kind's model lives in its module under
//! [`crate::blocks`]; this module holds the trait and the bit helpers they share. rust-hdl
//! simulates a design through these models; the lockstep tests (`hdl/tests/lockstep.rs`, and
//! every block case in `hdl/tests/blocks.rs`) hold every model to its Verilog core on every
//! port in every cycle under random back-pressure.
//!
//! All values are raw bit patterns (little-endian `u64` limbs), as on the wires: arithmetic
//! is modulo 2^width exactly where the Verilog's is.

use crate::verilog::put_bits;

pub use crate::blocks::dwc::DwcModel;
pub use crate::blocks::fifo::FifoModel;
pub use crate::blocks::mvu::MvuModel;
pub use crate::blocks::shift_mvu::ShiftMvuModel;
pub use crate::blocks::threshold::ThresholdModel;

/// One block's registers and the logic around them.
pub trait CycleModel: Send {
    /// `in_ready` for the current registers and `out_ready`.
    fn in_ready(&self, out_ready: bool) -> bool;
    /// `out_valid` (a register).
    fn out_valid(&self) -> bool;
    /// `out_data` (registers), `out_width` bits.
    fn out_data(&self) -> Vec<u64>;
    /// One rising clock edge with the given inputs.
    fn clock(&mut self, rst: bool, in_valid: bool, in_data: &[u64], out_ready: bool);
    /// The write port at the same rising edge, after [`CycleModel::clock`] (so a read of the
    /// word being written returns the old word, as in the Verilog). Blocks without a
    /// writable memory ignore it.
    fn write(&mut self, _addr: usize, _data: &[u64]) {}
}

/// Bits `[pos, pos + n)` of `words`, `n ≤ 64`.
pub fn get_bits(words: &[u64], pos: usize, n: usize) -> u64 {
    let mut v = 0;
    for b in 0..n {
        let p = pos + b;
        v |= (words[p / 64] >> (p % 64) & 1) << b;
    }
    v
}

/// The low `bits` bits of `v`.
pub(crate) fn wrap(v: u64, bits: usize) -> u64 {
    if bits >= 64 {
        v
    } else {
        v & ((1u64 << bits) - 1)
    }
}

/// `bits`-bit pattern `v` as a signed integer when `signed`, else unsigned.
pub(crate) fn extend(v: u64, bits: usize, signed: bool) -> i64 {
    if signed && bits < 64 && v >> (bits - 1) & 1 == 1 {
        (v | !((1u64 << bits) - 1)) as i64
    } else {
        v as i64
    }
}

/// Packs lane values of `bits` bits each into a beat.
pub(crate) fn pack_lanes(lanes: &[u64], bits: usize) -> Vec<u64> {
    let mut w = vec![0; (lanes.len() * bits).div_ceil(64).max(1)];
    for (p, &v) in lanes.iter().enumerate() {
        put_bits(&mut w, p * bits, bits, v);
    }
    w
}
