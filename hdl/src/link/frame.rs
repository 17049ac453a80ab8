//! Packets in and out: [`FrameRx`] checks received frames and stores their data, [`FrameTx`]
//! sends an answer with its header and CRC.
//!
//! [`FrameRx`] ports: `clock`, `reset`; in: the decoder's tokens (`tok_data[8]`, `tok_end`,
//! `tok_bad`, `tok_valid`, out `tok_ready`); out: the request buffer's write port
//! (`buf_addr[13]`, `buf_data[8]`, `buf_we`); out: the frame waiting (`frame_valid` with
//! `seq[8]`, `code[8]`, `len[16]`, held until the command engine raises `done` for a cycle);
//! out: one-cycle events `ev_ok`, `ev_crc`, `ev_framing`, `ev_overrun`. Parameter: the buffer's
//! capacity in data bytes. The first four bytes of a frame are the header (kept in registers);
//! data bytes go through a 4-byte delay line into the buffer, so the CRC field, the last four
//! bytes, never occupies it. At the end token a frame is dropped and counted, exactly as
//! `bitloom_protocol::Packet::parse` and the SLIP decoder drop it: an invalid escape (framing),
//! more data than the buffer holds (overrun), fewer than 8 bytes, a length field above 4096 or
//! disagreeing with the bytes received (framing), or a CRC register other than the residue
//! (CRC). Empty frames are ignored. While a frame waits, `tok_ready` is low.
//!
//! [`FrameTx`] ports: `clock`, `reset`; in: `start` (one cycle) with `seq[8]`, `code[8]`,
//! `len[16]`, `base[13]` (where the data starts in the answer buffer); out: `busy`; the answer
//! buffer's read port (`rd_addr[13]`, `rd_en`, in `rd_data[8]`); out: tokens for the encoder
//! (`tok_data[8]`, `tok_end`, `tok_valid`, in `tok_ready`). It sends `seq code len data crc`
//! then an end token; a data byte takes two cycles (read, then offer), far below a UART byte.

use super::crc::{Crc32, RESIDUE};
use super::ram::ADDR_BITS;
use rust_hdl::prelude::*;

/// Frame receiver (see the module doc).
#[derive(LogicBlock)]
pub struct FrameRx {
    /// Clock.
    pub clock: Signal<In, Clock>,
    /// Synchronous reset, active high.
    pub reset: Signal<In, Bit>,
    /// Token data byte.
    pub tok_data: Signal<In, Bits<8>>,
    /// The token ends a frame.
    pub tok_end: Signal<In, Bit>,
    /// The frame held an invalid escape.
    pub tok_bad: Signal<In, Bit>,
    /// A token is offered.
    pub tok_valid: Signal<In, Bit>,
    /// The receiver takes the token.
    pub tok_ready: Signal<Out, Bit>,
    /// Request buffer write address.
    pub buf_addr: Signal<Out, Bits<ADDR_BITS>>,
    /// Request buffer write data.
    pub buf_data: Signal<Out, Bits<8>>,
    /// Request buffer write enable.
    pub buf_we: Signal<Out, Bit>,
    /// An intact frame waits for the command engine.
    pub frame_valid: Signal<Out, Bit>,
    /// Its sequence number.
    pub seq: Signal<Out, Bits<8>>,
    /// Its command code.
    pub code: Signal<Out, Bits<8>>,
    /// Its data length.
    pub len: Signal<Out, Bits<16>>,
    /// The command engine is done with the frame and its data.
    pub done: Signal<In, Bit>,
    /// A frame passed every check.
    pub ev_ok: Signal<Out, Bit>,
    /// A frame failed its CRC.
    pub ev_crc: Signal<Out, Bit>,
    /// A frame was malformed (escape, length).
    pub ev_framing: Signal<Out, Bit>,
    /// A frame overflowed the buffer.
    pub ev_overrun: Signal<Out, Bit>,
    crc: Crc32,
    crc_reg: DFFWithInit<Bits<32>>,
    count: DFF<Bits<16>>,
    delay: DFF<Bits<32>>,
    seq_r: DFF<Bits<8>>,
    code_r: DFF<Bits<8>>,
    len_r: DFF<Bits<16>>,
    overflow: DFF<Bit>,
    holding: DFF<Bit>,
    ok: DFF<Bit>,
    crc_err: DFF<Bit>,
    framing: DFF<Bit>,
    overrun: DFF<Bit>,
    capacity: Constant<Bits<16>>,
    max_data: Constant<Bits<16>>,
    residue: Constant<Bits<32>>,
    ones: Constant<Bits<32>>,
    take: Signal<Local, Bit>,
    index: Signal<Local, Bits<16>>,
}

impl FrameRx {
    /// A receiver for a buffer of `capacity` data bytes.
    pub fn new(capacity: usize) -> Self {
        assert!(capacity <= 1 << ADDR_BITS, "buffer of {capacity} bytes");
        FrameRx {
            clock: Default::default(),
            reset: Default::default(),
            tok_data: Default::default(),
            tok_end: Default::default(),
            tok_bad: Default::default(),
            tok_valid: Default::default(),
            tok_ready: Default::default(),
            buf_addr: Default::default(),
            buf_data: Default::default(),
            buf_we: Default::default(),
            frame_valid: Default::default(),
            seq: Default::default(),
            code: Default::default(),
            len: Default::default(),
            done: Default::default(),
            ev_ok: Default::default(),
            ev_crc: Default::default(),
            ev_framing: Default::default(),
            ev_overrun: Default::default(),
            crc: Default::default(),
            crc_reg: DFFWithInit::new(0xFFFF_FFFFu64.into()),
            count: Default::default(),
            delay: Default::default(),
            seq_r: Default::default(),
            code_r: Default::default(),
            len_r: Default::default(),
            overflow: Default::default(),
            holding: Default::default(),
            ok: Default::default(),
            crc_err: Default::default(),
            framing: Default::default(),
            overrun: Default::default(),
            capacity: Constant::new((capacity as u64).into()),
            max_data: Constant::new((bitloom_protocol::MAX_DATA as u64).into()),
            residue: Constant::new(u64::from(RESIDUE).into()),
            ones: Constant::new(0xFFFF_FFFFu64.into()),
            take: Default::default(),
            index: Default::default(),
        }
    }
}

impl Logic for FrameRx {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self, clock, crc_reg, count, delay, seq_r, code_r, len_r, overflow, holding, ok, crc_err, framing, overrun
        );
        self.crc.crc_in.next = self.crc_reg.q.val();
        self.crc.data.next = self.tok_data.val();
        self.tok_ready.next = !self.holding.q.val();
        self.take.next = self.tok_valid.val() & !self.holding.q.val();
        self.frame_valid.next = self.holding.q.val();
        self.seq.next = self.seq_r.q.val();
        self.code.next = self.code_r.q.val();
        self.len.next = self.len_r.q.val();
        self.ev_ok.next = self.ok.q.val();
        self.ev_crc.next = self.crc_err.q.val();
        self.ev_framing.next = self.framing.q.val();
        self.ev_overrun.next = self.overrun.q.val();
        self.ok.d.next = false;
        self.crc_err.d.next = false;
        self.framing.d.next = false;
        self.overrun.d.next = false;
        // Data byte k of the frame (k = count - 8) leaves the delay line when byte k + 8 arrives.
        self.index.next = self.count.q.val() - 8;
        self.buf_addr.next = bit_cast::<ADDR_BITS, 16>(self.index.val());
        self.buf_data.next = bit_cast::<8, 32>(self.delay.q.val());
        self.buf_we.next = false;
        if self.take.val() {
            if self.tok_end.val() {
                self.count.d.next = 0.into();
                self.crc_reg.d.next = self.ones.val();
                self.overflow.d.next = false;
                // Back-to-back ENDs (an empty frame) are ignored.
                if self.tok_bad.val() {
                    self.framing.d.next = true;
                } else if self.count.q.val() == 0 {
                    self.framing.d.next = false;
                } else if self.overflow.q.val() {
                    self.overrun.d.next = true;
                } else if (self.count.q.val() < 8)
                    | (self.len_r.q.val() > self.max_data.val())
                    | (self.index.val() != self.len_r.q.val())
                {
                    self.framing.d.next = true;
                } else if self.crc_reg.q.val() != self.residue.val() {
                    self.crc_err.d.next = true;
                } else {
                    self.ok.d.next = true;
                    self.holding.d.next = true;
                }
            } else {
                self.crc_reg.d.next = self.crc.crc_out.val();
                if self.count.q.val() != 0xFFFF {
                    self.count.d.next = self.count.q.val() + 1;
                } else {
                    self.overflow.d.next = true;
                }
                if self.count.q.val() == 0 {
                    self.seq_r.d.next = self.tok_data.val();
                }
                if self.count.q.val() == 1 {
                    self.code_r.d.next = self.tok_data.val();
                }
                if self.count.q.val() == 2 {
                    self.len_r.d.next = bit_cast::<16, 8>(self.tok_data.val());
                }
                if self.count.q.val() == 3 {
                    self.len_r.d.next = self.len_r.q.val() | (bit_cast::<16, 8>(self.tok_data.val()) << 8);
                }
                self.delay.d.next = (self.delay.q.val() >> 8) | (bit_cast::<32, 8>(self.tok_data.val()) << 24);
                if self.count.q.val() >= 8 {
                    if self.index.val() < self.capacity.val() {
                        self.buf_we.next = true;
                    } else {
                        self.overflow.d.next = true;
                    }
                }
            }
        }
        if self.done.val() {
            self.holding.d.next = false;
        }
        if self.reset.val() {
            self.count.d.next = 0.into();
            self.crc_reg.d.next = self.ones.val();
            self.overflow.d.next = false;
            self.holding.d.next = false;
            self.ok.d.next = false;
            self.crc_err.d.next = false;
            self.framing.d.next = false;
            self.overrun.d.next = false;
        }
    }
}

/// Transmitter state.
#[derive(Copy, Clone, PartialEq, Eq, Debug, LogicState)]
pub enum TxState {
    /// Nothing to send.
    Idle,
    /// Header bytes 0..4.
    Header,
    /// Reading a data byte.
    Fetch,
    /// Offering the data byte read.
    Offer,
    /// CRC bytes 0..4.
    Crc,
    /// The end token.
    End,
}

/// Frame transmitter (see the module doc).
#[derive(LogicBlock)]
pub struct FrameTx {
    /// Clock.
    pub clock: Signal<In, Clock>,
    /// Synchronous reset, active high.
    pub reset: Signal<In, Bit>,
    /// Send an answer (one cycle, while not busy).
    pub start: Signal<In, Bit>,
    /// Its sequence number.
    pub seq: Signal<In, Bits<8>>,
    /// Its code.
    pub code: Signal<In, Bits<8>>,
    /// Its data length.
    pub len: Signal<In, Bits<16>>,
    /// Where its data starts in the answer buffer.
    pub base: Signal<In, Bits<ADDR_BITS>>,
    /// Sending.
    pub busy: Signal<Out, Bit>,
    /// Answer buffer read address.
    pub rd_addr: Signal<Out, Bits<ADDR_BITS>>,
    /// Answer buffer read enable.
    pub rd_en: Signal<Out, Bit>,
    /// Answer buffer read data.
    pub rd_data: Signal<In, Bits<8>>,
    /// Token data byte.
    pub tok_data: Signal<Out, Bits<8>>,
    /// The token ends the frame.
    pub tok_end: Signal<Out, Bit>,
    /// A token is offered.
    pub tok_valid: Signal<Out, Bit>,
    /// The encoder takes the token.
    pub tok_ready: Signal<In, Bit>,
    crc: Crc32,
    state: DFF<TxState>,
    crc_reg: DFF<Bits<32>>,
    idx: DFF<Bits<16>>,
    seq_r: DFF<Bits<8>>,
    code_r: DFF<Bits<8>>,
    len_r: DFF<Bits<16>>,
    base_r: DFF<Bits<ADDR_BITS>>,
    out: DFF<Bits<8>>,
    is_end: DFF<Bit>,
    valid: DFF<Bit>,
    ones: Constant<Bits<32>>,
    free: Signal<Local, Bit>,
    next_byte: Signal<Local, Bits<8>>,
    crc_bytes: Signal<Local, Bits<32>>,
}

impl Default for FrameTx {
    fn default() -> Self {
        FrameTx {
            clock: Default::default(),
            reset: Default::default(),
            start: Default::default(),
            seq: Default::default(),
            code: Default::default(),
            len: Default::default(),
            base: Default::default(),
            busy: Default::default(),
            rd_addr: Default::default(),
            rd_en: Default::default(),
            rd_data: Default::default(),
            tok_data: Default::default(),
            tok_end: Default::default(),
            tok_valid: Default::default(),
            tok_ready: Default::default(),
            crc: Default::default(),
            state: Default::default(),
            crc_reg: Default::default(),
            idx: Default::default(),
            seq_r: Default::default(),
            code_r: Default::default(),
            len_r: Default::default(),
            base_r: Default::default(),
            out: Default::default(),
            is_end: Default::default(),
            valid: Default::default(),
            ones: Constant::new(0xFFFF_FFFFu64.into()),
            free: Default::default(),
            next_byte: Default::default(),
            crc_bytes: Default::default(),
        }
    }
}

impl Logic for FrameTx {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, state, crc_reg, idx, seq_r, code_r, len_r, base_r, out, is_end, valid);
        self.tok_data.next = self.out.q.val();
        self.tok_end.next = self.is_end.q.val();
        self.tok_valid.next = self.valid.q.val();
        self.busy.next = (self.state.q.val() != TxState::Idle) | self.valid.q.val();
        self.free.next = !self.valid.q.val() | self.tok_ready.val();
        self.rd_addr.next = self.base_r.q.val() + bit_cast::<ADDR_BITS, 16>(self.idx.q.val());
        self.rd_en.next = false;
        // The byte this state offers, and the CRC register after it.
        self.crc_bytes.next = !self.crc_reg.q.val();
        self.next_byte.next = self.rd_data.val();
        if self.state.q.val() == TxState::Header {
            self.next_byte.next = self.seq_r.q.val();
            if self.idx.q.val() == 1 {
                self.next_byte.next = self.code_r.q.val();
            }
            if self.idx.q.val() == 2 {
                self.next_byte.next = bit_cast::<8, 16>(self.len_r.q.val());
            }
            if self.idx.q.val() == 3 {
                self.next_byte.next = bit_cast::<8, 16>(self.len_r.q.val() >> 8);
            }
        }
        if self.state.q.val() == TxState::Crc {
            self.next_byte.next =
                bit_cast::<8, 32>(self.crc_bytes.val() >> (bit_cast::<32, 16>(self.idx.q.val()) << 3));
        }
        self.crc.crc_in.next = self.crc_reg.q.val();
        self.crc.data.next = self.next_byte.val();
        if self.free.val() {
            self.valid.d.next = false;
        }
        match self.state.q.val() {
            TxState::Idle => {
                if self.start.val() {
                    self.seq_r.d.next = self.seq.val();
                    self.code_r.d.next = self.code.val();
                    self.len_r.d.next = self.len.val();
                    self.base_r.d.next = self.base.val();
                    self.crc_reg.d.next = self.ones.val();
                    self.idx.d.next = 0.into();
                    self.state.d.next = TxState::Header;
                }
            }
            TxState::Header => {
                if self.free.val() {
                    self.out.d.next = self.next_byte.val();
                    self.is_end.d.next = false;
                    self.valid.d.next = true;
                    self.crc_reg.d.next = self.crc.crc_out.val();
                    self.idx.d.next = self.idx.q.val() + 1;
                    if self.idx.q.val() == 3 {
                        self.idx.d.next = 0.into();
                        if self.len_r.q.val() == 0 {
                            self.state.d.next = TxState::Crc;
                        } else {
                            self.state.d.next = TxState::Fetch;
                        }
                    }
                }
            }
            TxState::Fetch => {
                self.rd_en.next = true;
                self.state.d.next = TxState::Offer;
            }
            TxState::Offer => {
                if self.free.val() {
                    self.out.d.next = self.next_byte.val();
                    self.is_end.d.next = false;
                    self.valid.d.next = true;
                    self.crc_reg.d.next = self.crc.crc_out.val();
                    self.idx.d.next = self.idx.q.val() + 1;
                    self.state.d.next = TxState::Fetch;
                    if self.idx.q.val() + 1 == self.len_r.q.val() {
                        self.idx.d.next = 0.into();
                        self.state.d.next = TxState::Crc;
                    }
                }
            }
            TxState::Crc => {
                if self.free.val() {
                    self.out.d.next = self.next_byte.val();
                    self.is_end.d.next = false;
                    self.valid.d.next = true;
                    self.idx.d.next = self.idx.q.val() + 1;
                    if self.idx.q.val() == 3 {
                        self.state.d.next = TxState::End;
                    }
                }
            }
            TxState::End => {
                if self.free.val() {
                    self.out.d.next = 0.into();
                    self.is_end.d.next = true;
                    self.valid.d.next = true;
                    self.state.d.next = TxState::Idle;
                }
            }
            _ => {
                self.state.d.next = TxState::Idle;
            }
        }
        if self.reset.val() {
            self.state.d.next = TxState::Idle;
            self.valid.d.next = false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::link::bench::Clocked;
    use bitloom_protocol::{Packet, PacketError};

    #[derive(Debug, PartialEq, Eq)]
    enum Verdict {
        Ok(u8, u8, Vec<u8>),
        Crc,
        Framing,
        Overrun,
    }

    /// Feeds one frame's tokens (`None` = end, with the bad flag) and returns the verdict and
    /// the buffered data, releasing the frame afterwards.
    fn receive(tb: &mut Clocked<FrameRx>, bytes: &[u8], bad: bool, buf: &mut [u8]) -> Option<Verdict> {
        let mut tokens: Vec<Option<u8>> = bytes.iter().map(|&b| Some(b)).collect();
        tokens.push(None);
        let mut verdict = None;
        let (mut i, mut cycle, mut after) = (0, 0, 0);
        // Events are registered: look two cycles past the end token.
        while after < 2 {
            after += (i == tokens.len()) as usize;
            let tok = tokens.get(i).copied();
            tb.dut.tok_valid.next = tok.is_some() && cycle % 3 != 2;
            tb.dut.tok_data.next = u64::from(tok.flatten().unwrap_or(0)).into();
            tb.dut.tok_end.next = matches!(tok, Some(None));
            tb.dut.tok_bad.next = bad;
            tb.dut.done.next = false;
            tb.settle();
            if tb.dut.buf_we.val() {
                buf[tb.dut.buf_addr.val().index()] = tb.dut.buf_data.val().to_u8();
            }
            for (ev, v) in [
                (tb.dut.ev_crc.val(), Verdict::Crc),
                (tb.dut.ev_framing.val(), Verdict::Framing),
                (tb.dut.ev_overrun.val(), Verdict::Overrun),
            ] {
                if ev {
                    assert!(verdict.is_none());
                    verdict = Some(v);
                }
            }
            if tb.dut.ev_ok.val() {
                assert!(tb.dut.frame_valid.val());
                let len = tb.dut.len.val().index();
                verdict = Some(Verdict::Ok(tb.dut.seq.val().to_u8(), tb.dut.code.val().to_u8(), buf[..len].to_vec()));
                tb.dut.done.next = true;
            }
            if tb.dut.tok_valid.val() && tb.dut.tok_ready.val() {
                i += 1;
            }
            tb.tick();
            cycle += 1;
        }
        verdict
    }

    #[test]
    fn frames_are_judged_as_the_protocol_parser_judges_them() {
        let capacity = 40;
        let mut tb = Clocked::new(FrameRx::new(capacity), |b| &mut b.clock);
        tb.dut.reset.next = true;
        tb.tick();
        tb.dut.reset.next = false;
        let mut buf = vec![0u8; capacity];
        let good =
            |n: usize| Packet { seq: n as u8, code: 3, data: (0..n).map(|i| (i * 13) as u8).collect() }.to_bytes();
        let mut cases: Vec<(Vec<u8>, bool)> = vec![
            (good(0), false),
            (good(5), false),
            (good(40), false),
            (good(41), false),
            (vec![], false),
            (vec![], true),
            (good(3), true),
        ];
        let mut bad_crc = good(9);
        bad_crc[6] ^= 0x10;
        cases.push((bad_crc, false));
        cases.push((good(9)[..7].to_vec(), false));
        let mut long_len = good(2);
        long_len[3] = 0x20; // declares 0x2002 bytes
        cases.push((long_len, false));
        let mut wrong_len = good(4);
        wrong_len[2] = 3;
        cases.push((wrong_len, false));
        for (bytes, bad) in cases {
            let got = receive(&mut tb, &bytes, bad, &mut buf);
            let want = if bytes.is_empty() && !bad {
                None
            } else if bad {
                Some(Verdict::Framing)
            } else if bytes.len() > capacity + 8 {
                Some(Verdict::Overrun)
            } else {
                Some(match Packet::parse(&bytes) {
                    Ok(p) => Verdict::Ok(p.seq, p.code, p.data),
                    Err(PacketError::Crc { .. }) => Verdict::Crc,
                    Err(_) => Verdict::Framing,
                })
            };
            assert_eq!(got, want, "frame of {} bytes, bad {bad}", bytes.len());
        }
    }

    #[test]
    fn transmitted_tokens_are_the_packet() {
        let mut tb = Clocked::new(FrameTx::default(), |b| &mut b.clock);
        let mem: Vec<u8> = (0..64u32).map(|i| (i * 31 + 5) as u8).collect();
        for (seq, code, len, base) in [(1u8, 0x81u8, 0usize, 0usize), (200, 0x83, 17, 9), (7, 0xFF, 1, 0)] {
            tb.dut.start.next = true;
            tb.dut.seq.next = u64::from(seq).into();
            tb.dut.code.next = u64::from(code).into();
            tb.dut.len.next = (len as u64).into();
            tb.dut.base.next = (base as u64).into();
            tb.tick();
            tb.dut.start.next = false;
            let (mut got, mut rd) = (Vec::new(), 0u8);
            let mut cycle = 0;
            loop {
                tb.dut.tok_ready.next = cycle % 3 == 0;
                tb.dut.rd_data.next = u64::from(rd).into();
                tb.settle();
                let done = tb.dut.tok_valid.val() && tb.dut.tok_ready.val() && tb.dut.tok_end.val();
                if tb.dut.tok_valid.val() && tb.dut.tok_ready.val() && !tb.dut.tok_end.val() {
                    got.push(tb.dut.tok_data.val().to_u8());
                }
                if tb.dut.rd_en.val() {
                    rd = mem[tb.dut.rd_addr.val().index()];
                }
                tb.tick();
                cycle += 1;
                if done {
                    break;
                }
            }
            tb.settle();
            assert!(!tb.dut.busy.val());
            let want = Packet { seq, code, data: mem[base..base + len].to_vec() }.to_bytes();
            assert_eq!(got, want);
        }
    }
}
