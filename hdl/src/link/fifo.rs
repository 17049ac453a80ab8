//! The receive FIFO: bytes from the UART wait here while the command engine is busy, in one
//! block RAM ([`ByteRam`]) with a first-word-fall-through output.
//!
//! Ports: `clock`, `reset`; in: `in_data[8]`, `in_valid` (the UART cannot wait: a byte that
//! finds the FIFO full is dropped and `overflow` is high for that cycle); out: `out_data[8]`,
//! `out_valid`, in `out_ready`. Parameters: depth (bytes in the RAM; read stage and output
//! register hold two more). Latency 3 cycles from `in_valid` to `out_valid`; II one byte per
//! cycle each way.

use super::ram::{ByteRam, ADDR_BITS};
use rust_hdl::prelude::*;

/// Receive FIFO (see the module doc).
#[derive(LogicBlock)]
pub struct ByteFifo {
    /// Clock.
    pub clock: Signal<In, Clock>,
    /// Synchronous reset, active high.
    pub reset: Signal<In, Bit>,
    /// A byte arriving.
    pub in_data: Signal<In, Bits<8>>,
    /// `in_data` is valid.
    pub in_valid: Signal<In, Bit>,
    /// A byte was dropped: the FIFO was full.
    pub overflow: Signal<Out, Bit>,
    /// The oldest byte.
    pub out_data: Signal<Out, Bits<8>>,
    /// `out_data` is valid.
    pub out_valid: Signal<Out, Bit>,
    /// The consumer takes the byte.
    pub out_ready: Signal<In, Bit>,
    ram: ByteRam,
    wp: DFF<Bits<ADDR_BITS>>,
    rp: DFF<Bits<ADDR_BITS>>,
    count: DFF<Bits<14>>,
    r_valid: DFF<Bit>,
    o_valid: DFF<Bit>,
    o_data: DFF<Bits<8>>,
    last: Constant<Bits<ADDR_BITS>>,
    depth: Constant<Bits<14>>,
    o_free: Signal<Local, Bit>,
    r_free: Signal<Local, Bit>,
    rd: Signal<Local, Bit>,
    wr: Signal<Local, Bit>,
}

impl ByteFifo {
    /// A FIFO of `depth` bytes (at most 8192).
    pub fn new(depth: usize) -> Self {
        ByteFifo {
            clock: Default::default(),
            reset: Default::default(),
            in_data: Default::default(),
            in_valid: Default::default(),
            overflow: Default::default(),
            out_data: Default::default(),
            out_valid: Default::default(),
            out_ready: Default::default(),
            ram: ByteRam::new(depth),
            wp: Default::default(),
            rp: Default::default(),
            count: Default::default(),
            r_valid: Default::default(),
            o_valid: Default::default(),
            o_data: Default::default(),
            last: Constant::new((depth as u64 - 1).into()),
            depth: Constant::new((depth as u64).into()),
            o_free: Default::default(),
            r_free: Default::default(),
            rd: Default::default(),
            wr: Default::default(),
        }
    }
}

impl Logic for ByteFifo {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, wp, rp, count, r_valid, o_valid, o_data);
        clock!(self, clock, ram);
        self.o_free.next = !self.o_valid.q.val() | self.out_ready.val();
        self.r_free.next = !self.r_valid.q.val() | self.o_free.val();
        self.rd.next = (self.count.q.val() != 0) & self.r_free.val();
        self.wr.next = self.in_valid.val() & (self.count.q.val() != self.depth.val());
        self.overflow.next = self.in_valid.val() & (self.count.q.val() == self.depth.val());
        self.out_data.next = self.o_data.q.val();
        self.out_valid.next = self.o_valid.q.val();
        self.ram.write_addr.next = self.wp.q.val();
        self.ram.write_data.next = self.in_data.val();
        self.ram.write_enable.next = self.wr.val();
        self.ram.read_addr.next = self.rp.q.val();
        self.ram.read_enable.next = self.rd.val();
        if self.o_free.val() {
            self.o_data.d.next = self.ram.read_data.val();
            self.o_valid.d.next = self.r_valid.q.val();
        }
        if self.r_free.val() {
            self.r_valid.d.next = self.rd.val();
        }
        if self.wr.val() {
            self.wp.d.next = self.wp.q.val() + 1;
            if self.wp.q.val() == self.last.val() {
                self.wp.d.next = 0.into();
            }
        }
        if self.rd.val() {
            self.rp.d.next = self.rp.q.val() + 1;
            if self.rp.q.val() == self.last.val() {
                self.rp.d.next = 0.into();
            }
        }
        if self.wr.val() & !self.rd.val() {
            self.count.d.next = self.count.q.val() + 1;
        }
        if !self.wr.val() & self.rd.val() {
            self.count.d.next = self.count.q.val() - 1;
        }
        if self.reset.val() {
            self.wp.d.next = 0.into();
            self.rp.d.next = 0.into();
            self.count.d.next = 0.into();
            self.r_valid.d.next = false;
            self.o_valid.d.next = false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::link::bench::Clocked;
    use std::collections::VecDeque;

    #[test]
    fn keeps_order_drops_when_full_and_reports_it() {
        let mut tb = Clocked::new(ByteFifo::new(16), |b| &mut b.clock);
        tb.dut.reset.next = true;
        tb.tick();
        tb.dut.reset.next = false;
        let (mut want, mut got, mut dropped) = (VecDeque::new(), Vec::new(), 0);
        let mut x = 7u32;
        for cycle in 0..3000u32 {
            x = x.wrapping_mul(1103515245).wrapping_add(12345);
            // Bursts that overflow, then drains.
            let phase = (cycle / 200) % 2 == 0;
            let push = if phase { x >> 16 & 3 != 0 } else { x >> 16 & 7 == 0 };
            let pop = if phase { x >> 20 & 7 == 0 } else { x >> 20 & 3 != 0 };
            tb.dut.in_data.next = u64::from(cycle % 251).into();
            tb.dut.in_valid.next = push;
            tb.dut.out_ready.next = pop;
            tb.settle();
            if tb.dut.overflow.val() {
                dropped += 1;
            } else if push {
                want.push_back((cycle % 251) as u8);
            }
            if tb.dut.out_valid.val() && pop {
                got.push(tb.dut.out_data.val().to_u8());
                assert_eq!(Some(got[got.len() - 1]), want.pop_front(), "cycle {cycle}");
            }
            tb.tick();
        }
        assert!(dropped > 10 && got.len() > 300, "{dropped} dropped, {} passed", got.len());
    }
}
