//! The STATUS counters: eight 32-bit counters (the order of `bitloom_protocol::Status`) in one
//! block RAM, kept by a single byte-serial incrementer, read a byte at a time.
//!
//! Ports: `clock`, `reset`; in: one-cycle events `ev_ok`, `ev_crc`, `ev_framing`,
//! `ev_overrun` and `ev_overflow` (both count as overruns, and may coincide), `ev_duplicate`,
//! `ev_refused`, `ev_inference`, `ev_word`; in: `hold` (finish the counter being updated, then
//! pause) and out `idle` (paused or nothing to do); in: `index[5]`, `read`; out: `value[8]`,
//! byte `index % 4` (little-endian) of counter `index / 4`, one cycle after `read` (read only
//! while `idle`). Counters wrap at 2³².
//!
//! Events add to a 7-bit pending count per counter (saturating at 127, more than arrive while the
//! incrementer visits the eight counters, at most 72 cycles); the incrementer adds a counter's
//! pending count into its four bytes in the RAM, carrying from byte to byte, one byte per
//! cycle. After a reset it first clears the RAM (32 cycles). A STATUS read (with `hold`) sees
//! every event counted up to a few cycles before it. This costs one block RAM and about a
//! quarter of the logic of eight 32-bit counters in flip-flops.

use super::ram::{ByteRam, ADDR_BITS};
use rust_hdl::prelude::*;

/// Incrementer state.
#[derive(Copy, Clone, PartialEq, Eq, Debug, LogicState)]
pub enum StatusState {
    /// Writing zeros after a reset.
    Clear,
    /// Looking for a counter with pending events.
    Scan,
    /// Reading the counter's first byte.
    Read,
    /// Adding into a byte (and reading the next).
    Add,
}

/// Status counters (see the module doc).
#[derive(LogicBlock)]
pub struct StatusCounters {
    /// Clock.
    pub clock: Signal<In, Clock>,
    /// Synchronous reset, active high.
    pub reset: Signal<In, Bit>,
    /// A frame was received intact.
    pub ev_ok: Signal<In, Bit>,
    /// A frame failed its CRC.
    pub ev_crc: Signal<In, Bit>,
    /// A frame was malformed.
    pub ev_framing: Signal<In, Bit>,
    /// A frame overflowed the request buffer.
    pub ev_overrun: Signal<In, Bit>,
    /// A byte was dropped by the full receive FIFO.
    pub ev_overflow: Signal<In, Bit>,
    /// A retry was answered from the stored answer.
    pub ev_duplicate: Signal<In, Bit>,
    /// A request was refused.
    pub ev_refused: Signal<In, Bit>,
    /// A vector went through the network.
    pub ev_inference: Signal<In, Bit>,
    /// A memory word was written.
    pub ev_word: Signal<In, Bit>,
    /// Pause after the counter being updated.
    pub hold: Signal<In, Bit>,
    /// Paused, or nothing to do: bytes may be read.
    pub idle: Signal<Out, Bit>,
    /// Which byte to read.
    pub index: Signal<In, Bits<5>>,
    /// Read it.
    pub read: Signal<In, Bit>,
    /// The byte read.
    pub value: Signal<Out, Bits<8>>,
    ram: ByteRam,
    state: DFF<StatusState>,
    p0: DFF<Bits<7>>,
    p1: DFF<Bits<7>>,
    p2: DFF<Bits<7>>,
    p3: DFF<Bits<7>>,
    p4: DFF<Bits<7>>,
    p5: DFF<Bits<7>>,
    p6: DFF<Bits<7>>,
    p7: DFF<Bits<7>>,
    /// The counter being scanned or updated.
    k: DFF<Bits<3>>,
    /// The byte being updated.
    j: DFF<Bits<2>>,
    /// What is added to the byte: the pending count, then the carry.
    addend: DFF<Bits<8>>,
    /// Address being cleared.
    clear: DFF<Bits<5>>,
    /// The pending count of counter `k`, and what the service takes from it this cycle.
    pk: Signal<Local, Bits<7>>,
    take: Signal<Local, Bits<7>>,
    sum: Signal<Local, Bits<9>>,
    addr: Signal<Local, Bits<5>>,
}

impl Default for StatusCounters {
    fn default() -> Self {
        StatusCounters {
            clock: Default::default(),
            reset: Default::default(),
            ev_ok: Default::default(),
            ev_crc: Default::default(),
            ev_framing: Default::default(),
            ev_overrun: Default::default(),
            ev_overflow: Default::default(),
            ev_duplicate: Default::default(),
            ev_refused: Default::default(),
            ev_inference: Default::default(),
            ev_word: Default::default(),
            hold: Default::default(),
            idle: Default::default(),
            index: Default::default(),
            read: Default::default(),
            value: Default::default(),
            ram: ByteRam::new(32),
            state: Default::default(),
            p0: Default::default(),
            p1: Default::default(),
            p2: Default::default(),
            p3: Default::default(),
            p4: Default::default(),
            p5: Default::default(),
            p6: Default::default(),
            p7: Default::default(),
            k: Default::default(),
            j: Default::default(),
            addend: Default::default(),
            clear: Default::default(),
            pk: Default::default(),
            take: Default::default(),
            sum: Default::default(),
            addr: Default::default(),
        }
    }
}

impl Logic for StatusCounters {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, state, p0, p1, p2, p3, p4, p5, p6, p7, k, j, addend, clear);
        clock!(self, clock, ram);
        match self.k.q.val().index() {
            0 => self.pk.next = self.p0.q.val(),
            1 => self.pk.next = self.p1.q.val(),
            2 => self.pk.next = self.p2.q.val(),
            3 => self.pk.next = self.p3.q.val(),
            4 => self.pk.next = self.p4.q.val(),
            5 => self.pk.next = self.p5.q.val(),
            6 => self.pk.next = self.p6.q.val(),
            _ => self.pk.next = self.p7.q.val(),
        }
        self.take.next = 0.into();
        self.addr.next = (bit_cast::<5, 3>(self.k.q.val()) << 2) | bit_cast::<5, 2>(self.j.q.val());
        self.sum.next = bit_cast::<9, 8>(self.ram.read_data.val()) + bit_cast::<9, 8>(self.addend.q.val());
        self.ram.read_addr.next = bit_cast::<ADDR_BITS, 5>(self.addr.val());
        self.ram.read_enable.next = false;
        self.ram.write_addr.next = bit_cast::<ADDR_BITS, 5>(self.addr.val());
        self.ram.write_data.next = bit_cast::<8, 9>(self.sum.val());
        self.ram.write_enable.next = false;
        self.value.next = self.ram.read_data.val();
        self.idle.next = false;
        match self.state.q.val() {
            StatusState::Clear => {
                self.ram.write_addr.next = bit_cast::<ADDR_BITS, 5>(self.clear.q.val());
                self.ram.write_data.next = 0.into();
                self.ram.write_enable.next = true;
                self.clear.d.next = self.clear.q.val() + 1;
                if self.clear.q.val() == 31 {
                    self.state.d.next = StatusState::Scan;
                }
            }
            StatusState::Scan => {
                self.idle.next = true;
                if self.hold.val() {
                    self.ram.read_addr.next = bit_cast::<ADDR_BITS, 5>(self.index.val());
                    self.ram.read_enable.next = self.read.val();
                } else if self.pk.val() != 0 {
                    // Take the pending count; read byte 0.
                    self.take.next = self.pk.val();
                    self.addend.d.next = bit_cast::<8, 7>(self.pk.val());
                    self.j.d.next = 0.into();
                    self.state.d.next = StatusState::Read;
                } else {
                    self.k.d.next = self.k.q.val() + 1;
                }
            }
            StatusState::Read => {
                self.ram.read_enable.next = true;
                self.state.d.next = StatusState::Add;
            }
            StatusState::Add => {
                // Write byte j; carry into byte j + 1 (read it now) if any.
                self.ram.write_enable.next = true;
                self.addend.d.next = 1.into();
                self.state.d.next = StatusState::Scan;
                self.k.d.next = self.k.q.val() + 1;
                if self.sum.val().get_bit(8) & (self.j.q.val() != 3) {
                    self.j.d.next = self.j.q.val() + 1;
                    self.k.d.next = self.k.q.val();
                    self.state.d.next = StatusState::Read;
                }
            }
            _ => {
                self.state.d.next = StatusState::Scan;
            }
        }
        // Pending counts: plus this cycle's events (saturating), or only them when the
        // incrementer takes the whole count.
        if (self.k.q.val() == 0) & (self.take.val() != 0) {
            self.p0.d.next = bit_cast::<7, 1>(self.ev_ok.val().into());
        } else if self.p0.q.val() != 127 {
            self.p0.d.next = self.p0.q.val() + bit_cast::<7, 1>(self.ev_ok.val().into());
        }
        if (self.k.q.val() == 1) & (self.take.val() != 0) {
            self.p1.d.next = bit_cast::<7, 1>(self.ev_crc.val().into());
        } else if self.p1.q.val() != 127 {
            self.p1.d.next = self.p1.q.val() + bit_cast::<7, 1>(self.ev_crc.val().into());
        }
        if (self.k.q.val() == 2) & (self.take.val() != 0) {
            self.p2.d.next = bit_cast::<7, 1>(self.ev_framing.val().into());
        } else if self.p2.q.val() != 127 {
            self.p2.d.next = self.p2.q.val() + bit_cast::<7, 1>(self.ev_framing.val().into());
        }
        if (self.k.q.val() == 3) & (self.take.val() != 0) {
            self.p3.d.next =
                bit_cast::<7, 1>(self.ev_overrun.val().into()) + bit_cast::<7, 1>(self.ev_overflow.val().into());
        } else if self.p3.q.val() != 127 {
            self.p3.d.next = self.p3.q.val()
                + bit_cast::<7, 1>(self.ev_overrun.val().into())
                + bit_cast::<7, 1>(self.ev_overflow.val().into());
        }
        if (self.k.q.val() == 4) & (self.take.val() != 0) {
            self.p4.d.next = bit_cast::<7, 1>(self.ev_duplicate.val().into());
        } else if self.p4.q.val() != 127 {
            self.p4.d.next = self.p4.q.val() + bit_cast::<7, 1>(self.ev_duplicate.val().into());
        }
        if (self.k.q.val() == 5) & (self.take.val() != 0) {
            self.p5.d.next = bit_cast::<7, 1>(self.ev_refused.val().into());
        } else if self.p5.q.val() != 127 {
            self.p5.d.next = self.p5.q.val() + bit_cast::<7, 1>(self.ev_refused.val().into());
        }
        if (self.k.q.val() == 6) & (self.take.val() != 0) {
            self.p6.d.next = bit_cast::<7, 1>(self.ev_inference.val().into());
        } else if self.p6.q.val() != 127 {
            self.p6.d.next = self.p6.q.val() + bit_cast::<7, 1>(self.ev_inference.val().into());
        }
        if (self.k.q.val() == 7) & (self.take.val() != 0) {
            self.p7.d.next = bit_cast::<7, 1>(self.ev_word.val().into());
        } else if self.p7.q.val() != 127 {
            self.p7.d.next = self.p7.q.val() + bit_cast::<7, 1>(self.ev_word.val().into());
        }
        if self.reset.val() {
            self.state.d.next = StatusState::Clear;
            self.clear.d.next = 0.into();
            self.k.d.next = 0.into();
            self.p0.d.next = 0.into();
            self.p1.d.next = 0.into();
            self.p2.d.next = 0.into();
            self.p3.d.next = 0.into();
            self.p4.d.next = 0.into();
            self.p5.d.next = 0.into();
            self.p6.d.next = 0.into();
            self.p7.d.next = 0.into();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::link::bench::Clocked;

    /// Reads the 32 bytes the way the command engine does: hold, wait for idle, read each.
    fn read_all(tb: &mut Clocked<StatusCounters>) -> Vec<u8> {
        tb.dut.hold.next = true;
        tb.settle();
        while !tb.dut.idle.val() {
            tb.tick();
        }
        let mut bytes = Vec::new();
        for i in 0..32u64 {
            tb.dut.index.next = i.into();
            tb.dut.read.next = true;
            tb.tick();
            tb.dut.read.next = false;
            bytes.push(tb.dut.value.val().to_u8());
        }
        tb.dut.hold.next = false;
        bytes
    }

    #[test]
    fn counts_every_event_and_reads_bytes_in_protocol_order() {
        let mut tb = Clocked::new(StatusCounters::default(), |b| &mut b.clock);
        tb.dut.reset.next = true;
        tb.tick();
        tb.dut.reset.next = false;
        let mut want = bitloom_protocol::Status::default();
        // Dense events (words every other cycle, inferences every cycle for a while).
        for k in 0..3000u32 {
            let ev = |m: u32| k % m == 0;
            let dense = k < 1000;
            tb.dut.ev_ok.next = ev(2);
            tb.dut.ev_crc.next = ev(3);
            tb.dut.ev_framing.next = ev(5);
            tb.dut.ev_overrun.next = ev(7);
            tb.dut.ev_overflow.next = ev(11);
            tb.dut.ev_duplicate.next = ev(13);
            tb.dut.ev_refused.next = ev(17);
            tb.dut.ev_inference.next = dense;
            tb.dut.ev_word.next = ev(2) && !dense;
            want.frames_ok += ev(2) as u32;
            want.crc_errors += ev(3) as u32;
            want.framing_errors += ev(5) as u32;
            want.overruns += ev(7) as u32 + ev(11) as u32;
            want.duplicates += ev(13) as u32;
            want.refused += ev(17) as u32;
            want.inferences += dense as u32;
            want.words_written += (ev(2) && !dense) as u32;
            tb.tick();
        }
        for s in [
            &mut tb.dut.ev_ok,
            &mut tb.dut.ev_crc,
            &mut tb.dut.ev_framing,
            &mut tb.dut.ev_overrun,
            &mut tb.dut.ev_overflow,
        ] {
            s.next = false;
        }
        for s in [&mut tb.dut.ev_duplicate, &mut tb.dut.ev_refused, &mut tb.dut.ev_inference, &mut tb.dut.ev_word] {
            s.next = false;
        }
        for _ in 0..100 {
            tb.tick();
        }
        assert_eq!(bitloom_protocol::Status::parse(&read_all(&mut tb)), Some(want));
        // A reset clears them.
        tb.dut.reset.next = true;
        tb.tick();
        tb.dut.reset.next = false;
        for _ in 0..40 {
            tb.tick();
        }
        assert_eq!(read_all(&mut tb), vec![0; 32]);
    }
}
