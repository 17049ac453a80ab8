//! [`Wire`]: a rust-hdl signal whose width is chosen at run time.
//!
//! rust-hdl's own `Signal<D, Bits<N>>` fixes its width as a const generic, but a stream's width
//! is PE·bits or SIMD·bits of the user's model. A `Wire` takes part in rust-hdl exactly like a
//! `Signal`: it is an [`Atom`] (so Verilog generation declares it with its run-time width),
//! a [`Block`] (so simulation commits `next` to `val` and reports changes), and [`Logic`]
//! (so a driver can claim it). Values are little-endian `u64` limbs with no bits above the width.

use rust_hdl::core::ast::VerilogLiteral;
use rust_hdl::core::atom::{Atom, AtomKind};
use rust_hdl::core::block::Block;
use rust_hdl::core::constraint::PinConstraint;
use rust_hdl::core::direction::{Direction, In, Out};
use rust_hdl::core::logic::Logic;
use rust_hdl::core::probe::Probe;
use rust_hdl::core::synth::VCDValue;
use rust_hdl::core::type_descriptor::{TypeDescriptor, TypeKind};
use std::marker::PhantomData;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Ids of wires, far above the ids rust-hdl hands its own signals.
static NEXT_ID: AtomicUsize = AtomicUsize::new(1 << 40);

/// A run-time-width signal in direction `D` ([`In`] or [`Out`]).
#[derive(Clone, Debug)]
pub struct Wire<D: Direction> {
    /// The value being driven this delta cycle.
    pub next: Vec<u64>,
    val: Vec<u64>,
    width: usize,
    changed: bool,
    claimed: bool,
    id: usize,
    dir: PhantomData<D>,
}

impl<D: Direction> Wire<D> {
    /// A wire of `width` bits (at least 1), initially zero.
    pub fn new(width: usize) -> Self {
        let width = width.max(1);
        let zero = vec![0; width.div_ceil(64)];
        Wire {
            next: zero.clone(),
            val: zero,
            width,
            changed: false,
            claimed: false,
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            dir: PhantomData,
        }
    }

    /// Width in bits.
    pub fn width(&self) -> usize {
        self.width
    }

    /// Drives `value` (limbs beyond the width are ignored, stray high bits cleared).
    pub fn drive(&mut self, value: &[u64]) {
        for (i, limb) in self.next.iter_mut().enumerate() {
            *limb = value.get(i).copied().unwrap_or(0);
        }
        mask(&mut self.next, self.width);
    }
}

impl Wire<In> {
    /// The committed value an input reads.
    pub fn val(&self) -> &[u64] {
        &self.val
    }
}

impl Wire<Out> {
    /// The value an output is driving (rust-hdl outputs read their `next`).
    #[allow(clippy::misnamed_getters)]
    pub fn val(&self) -> &[u64] {
        &self.next
    }
}

/// Clears the bits of `words` at and above `width`.
pub fn mask(words: &mut [u64], width: usize) {
    for (i, w) in words.iter_mut().enumerate() {
        let lo = i * 64;
        if lo >= width {
            *w = 0;
        } else if width - lo < 64 {
            *w &= (1u64 << (width - lo)) - 1;
        }
    }
}

impl<D: Direction> Atom for Wire<D> {
    fn bits(&self) -> usize {
        self.width
    }

    fn connected(&self) -> bool {
        self.claimed
    }

    fn changed(&self) -> bool {
        self.changed
    }

    fn kind(&self) -> AtomKind {
        D::KIND
    }

    fn descriptor(&self) -> TypeDescriptor {
        TypeDescriptor { name: format!("Bits::<{}>", self.width), kind: TypeKind::Bits(self.width) }
    }

    fn vcd(&self) -> VCDValue {
        let bit = |b: usize| if self.val[b / 64] >> (b % 64) & 1 == 1 { vcd::Value::V1 } else { vcd::Value::V0 };
        VCDValue::Vector((0..self.width).rev().map(bit).collect())
    }

    fn id(&self) -> usize {
        self.id
    }

    fn verilog(&self) -> VerilogLiteral {
        // Only constants are printed as literals; a wire never is one.
        false.into()
    }

    fn constraints(&self) -> Vec<PinConstraint> {
        Vec::new()
    }
}

impl<D: Direction> Logic for Wire<D> {
    fn update(&mut self) {}

    fn connect(&mut self) {
        self.claimed = true;
    }
}

impl<D: Direction> Block for Wire<D> {
    fn connect_all(&mut self) {}

    fn update_all(&mut self) {
        self.changed = self.val != self.next;
        if self.changed {
            self.val.clone_from(&self.next);
        }
    }

    fn has_changed(&self) -> bool {
        self.changed
    }

    fn accept(&self, name: &str, probe: &mut dyn Probe) {
        probe.visit_atom(name, self);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drive_masks_and_commits() {
        let mut w: Wire<In> = Wire::new(70);
        assert_eq!(w.bits(), 70);
        w.drive(&[u64::MAX, u64::MAX, 5]);
        assert_eq!(w.val(), &[0, 0]);
        w.update_all();
        assert!(w.has_changed());
        assert_eq!(w.val(), &[u64::MAX, 0x3f]);
        w.update_all();
        assert!(!w.has_changed());
    }
}
