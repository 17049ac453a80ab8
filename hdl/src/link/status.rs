//! The STATUS counters: eight 32-bit counters (the order of `bitloom_protocol::Status`), read
//! a byte at a time.
//!
//! Ports: `clock`, `reset`; in: one-cycle events `ev_ok`, `ev_crc`, `ev_framing`,
//! `ev_overrun` and `ev_overflow` (both count as overruns, and may coincide), `ev_duplicate`,
//! `ev_refused`, `ev_inference`, `ev_word`; in: `index[5]`; out: `byte[8]`, byte `index % 4`
//! (little-endian) of counter `index / 4`, combinational. Counters wrap at 2³².

use rust_hdl::prelude::*;

/// Status counters (see the module doc).
#[derive(LogicBlock, Default)]
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
    /// Which byte to read.
    pub index: Signal<In, Bits<5>>,
    /// The byte.
    pub value: Signal<Out, Bits<8>>,
    frames_ok: DFF<Bits<32>>,
    crc_errors: DFF<Bits<32>>,
    framing_errors: DFF<Bits<32>>,
    overruns: DFF<Bits<32>>,
    duplicates: DFF<Bits<32>>,
    refused: DFF<Bits<32>>,
    inferences: DFF<Bits<32>>,
    words: DFF<Bits<32>>,
    word: Signal<Local, Bits<32>>,
}

impl Logic for StatusCounters {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            frames_ok,
            crc_errors,
            framing_errors,
            overruns,
            duplicates,
            refused,
            inferences,
            words
        );
        if self.ev_ok.val() {
            self.frames_ok.d.next = self.frames_ok.q.val() + 1;
        }
        if self.ev_crc.val() {
            self.crc_errors.d.next = self.crc_errors.q.val() + 1;
        }
        if self.ev_framing.val() {
            self.framing_errors.d.next = self.framing_errors.q.val() + 1;
        }
        self.overruns.d.next = self.overruns.q.val()
            + bit_cast::<32, 1>(self.ev_overrun.val().into())
            + bit_cast::<32, 1>(self.ev_overflow.val().into());
        if self.ev_duplicate.val() {
            self.duplicates.d.next = self.duplicates.q.val() + 1;
        }
        if self.ev_refused.val() {
            self.refused.d.next = self.refused.q.val() + 1;
        }
        if self.ev_inference.val() {
            self.inferences.d.next = self.inferences.q.val() + 1;
        }
        if self.ev_word.val() {
            self.words.d.next = self.words.q.val() + 1;
        }
        match self.index.val().get_bits::<3>(2).index() {
            0 => self.word.next = self.frames_ok.q.val(),
            1 => self.word.next = self.crc_errors.q.val(),
            2 => self.word.next = self.framing_errors.q.val(),
            3 => self.word.next = self.overruns.q.val(),
            4 => self.word.next = self.duplicates.q.val(),
            5 => self.word.next = self.refused.q.val(),
            6 => self.word.next = self.inferences.q.val(),
            _ => self.word.next = self.words.q.val(),
        }
        match self.index.val().get_bits::<2>(0).index() {
            0 => self.value.next = self.word.val().get_bits::<8>(0),
            1 => self.value.next = self.word.val().get_bits::<8>(8),
            2 => self.value.next = self.word.val().get_bits::<8>(16),
            _ => self.value.next = self.word.val().get_bits::<8>(24),
        }
        if self.reset.val() {
            self.frames_ok.d.next = 0.into();
            self.crc_errors.d.next = 0.into();
            self.framing_errors.d.next = 0.into();
            self.overruns.d.next = 0.into();
            self.duplicates.d.next = 0.into();
            self.refused.d.next = 0.into();
            self.inferences.d.next = 0.into();
            self.words.d.next = 0.into();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::link::bench::Clocked;

    #[test]
    fn counts_events_and_reads_bytes_in_protocol_order() {
        let mut tb = Clocked::new(StatusCounters::default(), |b| &mut b.clock);
        tb.dut.reset.next = true;
        tb.tick();
        tb.dut.reset.next = false;
        let mut want = bitloom_protocol::Status::default();
        for k in 0..300u32 {
            let ev = |m: u32| k % m == 0;
            tb.dut.ev_ok.next = ev(2);
            tb.dut.ev_crc.next = ev(3);
            tb.dut.ev_framing.next = ev(5);
            tb.dut.ev_overrun.next = ev(7);
            tb.dut.ev_overflow.next = ev(11);
            tb.dut.ev_duplicate.next = ev(13);
            tb.dut.ev_refused.next = ev(17);
            tb.dut.ev_inference.next = ev(1);
            tb.dut.ev_word.next = ev(19);
            want.frames_ok += ev(2) as u32;
            want.crc_errors += ev(3) as u32;
            want.framing_errors += ev(5) as u32;
            want.overruns += ev(7) as u32 + ev(11) as u32;
            want.duplicates += ev(13) as u32;
            want.refused += ev(17) as u32;
            want.inferences += 1;
            want.words_written += ev(19) as u32;
            tb.tick();
        }
        let mut bytes = Vec::new();
        for i in 0..32u64 {
            tb.dut.index.next = i.into();
            tb.settle();
            bytes.push(tb.dut.value.val().to_u8());
        }
        assert_eq!(bitloom_protocol::Status::parse(&bytes), Some(want));
    }
}
