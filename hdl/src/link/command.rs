//! The command engine: executes each intact request the frame receiver holds, writes its answer
//! into the answer buffer and starts the transmitter (`docs/protocol.md`).
//!
//! Ports: `clock`, `reset`; the waiting frame (`f_valid`, `f_seq[8]`, `f_code[8]`, `f_len[16]`,
//! out `f_release`); the request buffer's read port (`q_addr[13]`, `q_en`, in `q_data[8]`); the
//! answer buffer's write port (`a_addr[13]`, `a_data[8]`, `a_we`); the transmitter (`tx_start`,
//! `tx_seq[8]`, `tx_code[8]`, `tx_len[16]`, `tx_base[13]`, in `tx_busy`); the status counters
//! (`s_index[5]`, `s_read`, in `s_value[8]` a cycle later, `s_hold`, in `s_idle`); the I/O adapter ([`super::io`]: `io_mode[2]`, `io_mem[8]`,
//! `io_addr[32]`, `io_start`, a byte stream in (`io_in_data[8]`, `io_in_valid`, in
//! `io_in_ready`) and out (in `io_out_data[8]`, in `io_out_valid`, `io_out_ready`), and the
//! selected memory's `mem_ok`, `mem_wb[16]`, `mem_depth[32]`); events `ev_dup`, `ev_refused`,
//! `ev_infer`, `ev_word`; `busy`. Parameters (run-time constants of the design): bytes per input
//! and output vector, `max_batch`, and where the INFO answer sits in the answer buffer.
//!
//! One request at a time, only while the transmitter is idle (the answer buffer is free):
//! - a request whose `seq` equals the last answered one's is a retry: the stored answer is sent
//!   again (the buffer still holds it), nothing runs twice;
//! - INFO: the answer is the INFO bytes placed in the answer buffer by the build (no copy);
//! - STATUS: the counters' incrementer is held, then the 32 counter bytes are copied into the
//!   buffer;
//! - WRITE: the header is read, the memory checked, the words counted by repeated subtraction
//!   (refused unless whole words that fit), and only then are the bytes streamed to the I/O
//!   adapter, which writes the memory: a refused or corrupted request never writes anything;
//! - INFER: the count is checked against `max_batch` and the length (by repeated addition),
//!   then input bytes stream in while output bytes are collected into the buffer;
//! - READ and unknown codes are refused with code 1 (the memories' only read port belongs to
//!   the engines); a wrong length with 2, a missing memory with 3, words past the end with 4,
//!   a batch above `max_batch` with 5.
//!
//! Timing: request bytes are read at one per two cycles; a STATUS answer takes 64 cycles, a
//! WRITE check about `len / word bytes` cycles and an INFER check `count` cycles.

use super::ram::ADDR_BITS;
use rust_hdl::prelude::*;

/// I/O adapter mode: nothing.
pub const MODE_IDLE: u64 = 0;
/// I/O adapter mode: bytes are input elements, output beats become bytes.
pub const MODE_INFER: u64 = 1;
/// I/O adapter mode: bytes are memory words.
pub const MODE_WRITE: u64 = 2;

/// Command engine state.
#[derive(Copy, Clone, PartialEq, Eq, Debug, LogicState)]
pub enum CmdState {
    /// Waiting for a frame and an idle transmitter.
    Idle,
    /// Choosing what to do with the frame.
    Decide,
    /// Reading a header byte.
    HdrRead,
    /// Taking a header byte.
    HdrTake,
    /// Checking a WRITE's memory.
    CheckWrite,
    /// Counting a WRITE's words.
    Divide,
    /// Checking an INFER's count.
    CheckInfer,
    /// Computing an INFER's lengths.
    Multiply,
    /// Starting the I/O adapter.
    Begin,
    /// Reading a request byte.
    StreamRead,
    /// Offering it to the I/O adapter.
    StreamOffer,
    /// Waiting for the last output bytes.
    Finish,
    /// Reading a counter byte.
    CopyStatus,
    /// Writing it into the answer.
    StatusTake,
    /// Writing a refusal.
    Refuse,
    /// Starting the transmitter.
    Answer,
    /// Releasing the frame.
    Release,
}

/// The command engine (see the module doc).
#[derive(LogicBlock)]
pub struct CommandEngine {
    /// Clock.
    pub clock: Signal<In, Clock>,
    /// Synchronous reset, active high.
    pub reset: Signal<In, Bit>,
    /// A frame waits.
    pub f_valid: Signal<In, Bit>,
    /// Its sequence number.
    pub f_seq: Signal<In, Bits<8>>,
    /// Its command code.
    pub f_code: Signal<In, Bits<8>>,
    /// Its data length.
    pub f_len: Signal<In, Bits<16>>,
    /// Done with the frame.
    pub f_release: Signal<Out, Bit>,
    /// Request buffer read address.
    pub q_addr: Signal<Out, Bits<ADDR_BITS>>,
    /// Request buffer read enable.
    pub q_en: Signal<Out, Bit>,
    /// Request buffer byte.
    pub q_data: Signal<In, Bits<8>>,
    /// Answer buffer write address.
    pub a_addr: Signal<Out, Bits<ADDR_BITS>>,
    /// Answer buffer byte.
    pub a_data: Signal<Out, Bits<8>>,
    /// Answer buffer write enable.
    pub a_we: Signal<Out, Bit>,
    /// Send an answer.
    pub tx_start: Signal<Out, Bit>,
    /// Its sequence number.
    pub tx_seq: Signal<Out, Bits<8>>,
    /// Its code.
    pub tx_code: Signal<Out, Bits<8>>,
    /// Its length.
    pub tx_len: Signal<Out, Bits<16>>,
    /// Where its data starts in the answer buffer.
    pub tx_base: Signal<Out, Bits<ADDR_BITS>>,
    /// The transmitter is sending.
    pub tx_busy: Signal<In, Bit>,
    /// Status byte index.
    pub s_index: Signal<Out, Bits<5>>,
    /// Read the status byte.
    pub s_read: Signal<Out, Bit>,
    /// The status byte read (the cycle after `s_read`).
    pub s_value: Signal<In, Bits<8>>,
    /// Pause the status counters' incrementer.
    pub s_hold: Signal<Out, Bit>,
    /// The counters may be read.
    pub s_idle: Signal<In, Bit>,
    /// I/O adapter mode.
    pub io_mode: Signal<Out, Bits<2>>,
    /// Memory selected for WRITE.
    pub io_mem: Signal<Out, Bits<8>>,
    /// First word address for WRITE.
    pub io_addr: Signal<Out, Bits<32>>,
    /// Starts the I/O adapter (one cycle).
    pub io_start: Signal<Out, Bit>,
    /// Byte to the I/O adapter.
    pub io_in_data: Signal<Out, Bits<8>>,
    /// `io_in_data` is valid.
    pub io_in_valid: Signal<Out, Bit>,
    /// The I/O adapter takes the byte.
    pub io_in_ready: Signal<In, Bit>,
    /// Byte from the I/O adapter.
    pub io_out_data: Signal<In, Bits<8>>,
    /// `io_out_data` is valid.
    pub io_out_valid: Signal<In, Bit>,
    /// The engine takes the byte.
    pub io_out_ready: Signal<Out, Bit>,
    /// The selected memory exists.
    pub mem_ok: Signal<In, Bit>,
    /// Its bytes per word.
    pub mem_wb: Signal<In, Bits<16>>,
    /// Its depth in words.
    pub mem_depth: Signal<In, Bits<32>>,
    /// A retry was answered from the stored answer.
    pub ev_dup: Signal<Out, Bit>,
    /// A request was refused.
    pub ev_refused: Signal<Out, Bit>,
    /// An output vector was collected.
    pub ev_infer: Signal<Out, Bit>,
    /// A memory word was streamed.
    pub ev_word: Signal<Out, Bit>,
    /// Executing a request.
    pub busy: Signal<Out, Bit>,
    state: DFF<CmdState>,
    have_last: DFF<Bit>,
    last_seq: DFF<Bits<8>>,
    ans_code: DFF<Bits<8>>,
    ans_len: DFF<Bits<16>>,
    ans_base: DFF<Bits<ADDR_BITS>>,
    err: DFF<Bits<3>>,
    i: DFF<Bits<13>>,
    hdr: DFF<Bits<40>>,
    rem: DFF<Bits<13>>,
    wb: DFF<Bits<13>>,
    words: DFF<Bits<13>>,
    k: DFF<Bits<13>>,
    in_total: DFF<Bits<13>>,
    out_total: DFF<Bits<13>>,
    a_ptr: DFF<Bits<13>>,
    vb: DFF<Bits<13>>,
    wbc: DFF<Bits<13>>,
    mode: DFF<Bits<2>>,
    in_vec: Constant<Bits<13>>,
    out_vec: Constant<Bits<13>>,
    max_batch: Constant<Bits<13>>,
    info_base: Constant<Bits<ADDR_BITS>>,
    info_len: Constant<Bits<16>>,
    count: Signal<Local, Bits<16>>,
    offset: Signal<Local, Bits<32>>,
    word_end: Signal<Local, Bits<33>>,
}

impl CommandEngine {
    /// An engine for vectors of `in_vec` and `out_vec` bytes, at most `max_batch` per INFER,
    /// with the INFO answer at `info_base .. info_base + info_len` of the answer buffer.
    pub fn new(in_vec: usize, out_vec: usize, max_batch: usize, info_base: usize, info_len: usize) -> Self {
        CommandEngine {
            clock: Default::default(),
            reset: Default::default(),
            f_valid: Default::default(),
            f_seq: Default::default(),
            f_code: Default::default(),
            f_len: Default::default(),
            f_release: Default::default(),
            q_addr: Default::default(),
            q_en: Default::default(),
            q_data: Default::default(),
            a_addr: Default::default(),
            a_data: Default::default(),
            a_we: Default::default(),
            tx_start: Default::default(),
            tx_seq: Default::default(),
            tx_code: Default::default(),
            tx_len: Default::default(),
            tx_base: Default::default(),
            tx_busy: Default::default(),
            s_index: Default::default(),
            s_read: Default::default(),
            s_value: Default::default(),
            s_hold: Default::default(),
            s_idle: Default::default(),
            io_mode: Default::default(),
            io_mem: Default::default(),
            io_addr: Default::default(),
            io_start: Default::default(),
            io_in_data: Default::default(),
            io_in_valid: Default::default(),
            io_in_ready: Default::default(),
            io_out_data: Default::default(),
            io_out_valid: Default::default(),
            io_out_ready: Default::default(),
            mem_ok: Default::default(),
            mem_wb: Default::default(),
            mem_depth: Default::default(),
            ev_dup: Default::default(),
            ev_refused: Default::default(),
            ev_infer: Default::default(),
            ev_word: Default::default(),
            busy: Default::default(),
            state: Default::default(),
            have_last: Default::default(),
            last_seq: Default::default(),
            ans_code: Default::default(),
            ans_len: Default::default(),
            ans_base: Default::default(),
            err: Default::default(),
            i: Default::default(),
            hdr: Default::default(),
            rem: Default::default(),
            wb: Default::default(),
            words: Default::default(),
            k: Default::default(),
            in_total: Default::default(),
            out_total: Default::default(),
            a_ptr: Default::default(),
            vb: Default::default(),
            wbc: Default::default(),
            mode: Default::default(),
            in_vec: Constant::new((in_vec as u64).into()),
            out_vec: Constant::new((out_vec as u64).into()),
            max_batch: Constant::new((max_batch as u64).into()),
            info_base: Constant::new((info_base as u64).into()),
            info_len: Constant::new((info_len as u64).into()),
            count: Default::default(),
            offset: Default::default(),
            word_end: Default::default(),
        }
    }
}

impl Logic for CommandEngine {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self, clock, state, have_last, last_seq, ans_code, ans_len, ans_base, err, i, hdr, rem, wb, words, k,
            in_total, out_total, a_ptr, vb, wbc, mode
        );
        // Fields of the header: WRITE `mem offset` (bytes 0..5), INFER `count` (bytes 0..2,
        // shifted in from the top, so at bits 24..40).
        self.count.next = self.hdr.q.val().get_bits::<16>(24);
        self.offset.next = self.hdr.q.val().get_bits::<32>(8);
        self.word_end.next = bit_cast::<33, 32>(self.offset.val()) + bit_cast::<33, 13>(self.words.q.val());
        self.busy.next = self.state.q.val() != CmdState::Idle;
        self.f_release.next = false;
        self.q_addr.next = self.i.q.val();
        self.q_en.next = false;
        self.a_addr.next = self.a_ptr.q.val();
        self.a_data.next = self.io_out_data.val();
        self.a_we.next = false;
        self.tx_start.next = false;
        self.tx_seq.next = self.last_seq.q.val();
        self.tx_code.next = self.ans_code.q.val();
        self.tx_len.next = self.ans_len.q.val();
        self.tx_base.next = self.ans_base.q.val();
        self.s_index.next = bit_cast::<5, 13>(self.i.q.val());
        self.s_read.next = false;
        self.s_hold.next = false;
        self.io_mode.next = self.mode.q.val();
        self.io_mem.next = bit_cast::<8, 40>(self.hdr.q.val());
        self.io_addr.next = self.offset.val();
        self.io_start.next = false;
        self.io_in_data.next = self.q_data.val();
        self.io_in_valid.next = false;
        self.io_out_ready.next = false;
        self.ev_dup.next = false;
        self.ev_refused.next = false;
        self.ev_infer.next = false;
        self.ev_word.next = false;
        match self.state.q.val() {
            CmdState::Idle => {
                if self.f_valid.val() & !self.tx_busy.val() {
                    self.state.d.next = CmdState::Decide;
                }
            }
            CmdState::Decide => {
                self.i.d.next = 0.into();
                self.state.d.next = CmdState::Refuse;
                self.err.d.next = 1.into();
                if self.have_last.q.val() & (self.f_seq.val() == self.last_seq.q.val()) {
                    // A retry: the stored answer again.
                    self.ev_dup.next = true;
                    self.tx_start.next = true;
                    self.state.d.next = CmdState::Release;
                } else if self.f_code.val() == 1 {
                    self.err.d.next = 2.into();
                    if self.f_len.val() == 0 {
                        self.ans_code.d.next = 0x81.into();
                        self.ans_len.d.next = self.info_len.val();
                        self.ans_base.d.next = self.info_base.val();
                        self.state.d.next = CmdState::Answer;
                    }
                } else if self.f_code.val() == 4 {
                    self.err.d.next = 2.into();
                    if self.f_len.val() == 0 {
                        self.state.d.next = CmdState::CopyStatus;
                    }
                } else if self.f_code.val() == 2 {
                    self.err.d.next = 2.into();
                    if self.f_len.val() >= 5 {
                        self.state.d.next = CmdState::HdrRead;
                    }
                } else if self.f_code.val() == 3 {
                    self.err.d.next = 2.into();
                    if self.f_len.val() >= 2 {
                        self.state.d.next = CmdState::HdrRead;
                    }
                }
            }
            CmdState::HdrRead => {
                self.q_en.next = true;
                self.state.d.next = CmdState::HdrTake;
            }
            CmdState::HdrTake => {
                self.hdr.d.next = (self.hdr.q.val() >> 8) | (bit_cast::<40, 8>(self.q_data.val()) << 32);
                self.i.d.next = self.i.q.val() + 1;
                self.state.d.next = CmdState::HdrRead;
                if (self.f_code.val() == 2) & (self.i.q.val() == 4) {
                    self.state.d.next = CmdState::CheckWrite;
                }
                if (self.f_code.val() == 3) & (self.i.q.val() == 1) {
                    self.state.d.next = CmdState::CheckInfer;
                }
            }
            CmdState::CheckWrite => {
                self.rem.d.next = bit_cast::<13, 16>(self.f_len.val()) - 5;
                self.words.d.next = 0.into();
                self.wb.d.next = bit_cast::<13, 16>(self.mem_wb.val());
                self.state.d.next = CmdState::Divide;
                if !self.mem_ok.val() {
                    self.err.d.next = 3.into();
                    self.state.d.next = CmdState::Refuse;
                }
            }
            CmdState::Divide => {
                if self.rem.q.val() >= self.wb.q.val() {
                    self.rem.d.next = self.rem.q.val() - self.wb.q.val();
                    self.words.d.next = self.words.q.val() + 1;
                } else if self.rem.q.val() != 0 {
                    self.err.d.next = 2.into();
                    self.state.d.next = CmdState::Refuse;
                } else if self.word_end.val() > bit_cast::<33, 32>(self.mem_depth.val()) {
                    self.err.d.next = 4.into();
                    self.state.d.next = CmdState::Refuse;
                } else {
                    self.mode.d.next = 2.into();
                    self.i.d.next = 5.into();
                    self.out_total.d.next = 0.into();
                    self.state.d.next = CmdState::Begin;
                }
            }
            CmdState::CheckInfer => {
                self.k.d.next = 0.into();
                self.in_total.d.next = 2.into();
                self.out_total.d.next = 0.into();
                self.state.d.next = CmdState::Multiply;
                if self.count.val() > bit_cast::<16, 13>(self.max_batch.val()) {
                    self.err.d.next = 5.into();
                    self.state.d.next = CmdState::Refuse;
                }
            }
            CmdState::Multiply => {
                if bit_cast::<16, 13>(self.k.q.val()) != self.count.val() {
                    self.k.d.next = self.k.q.val() + 1;
                    self.in_total.d.next = self.in_total.q.val() + self.in_vec.val();
                    self.out_total.d.next = self.out_total.q.val() + self.out_vec.val();
                } else if bit_cast::<16, 13>(self.in_total.q.val()) != self.f_len.val() {
                    self.err.d.next = 2.into();
                    self.state.d.next = CmdState::Refuse;
                } else {
                    self.mode.d.next = 1.into();
                    self.i.d.next = 2.into();
                    self.state.d.next = CmdState::Begin;
                }
            }
            CmdState::Begin => {
                self.io_start.next = true;
                self.a_ptr.d.next = 0.into();
                self.vb.d.next = 0.into();
                self.wbc.d.next = 0.into();
                self.state.d.next = CmdState::StreamRead;
            }
            CmdState::StreamRead => {
                self.io_out_ready.next = true;
                if bit_cast::<16, 13>(self.i.q.val()) == self.f_len.val() {
                    self.state.d.next = CmdState::Finish;
                } else {
                    self.q_en.next = true;
                    self.state.d.next = CmdState::StreamOffer;
                }
            }
            CmdState::StreamOffer => {
                self.io_out_ready.next = true;
                self.io_in_valid.next = true;
                if self.io_in_ready.val() {
                    self.i.d.next = self.i.q.val() + 1;
                    self.state.d.next = CmdState::StreamRead;
                    if self.mode.q.val() == 2 {
                        self.wbc.d.next = self.wbc.q.val() + 1;
                        if self.wbc.q.val() + 1 == self.wb.q.val() {
                            self.wbc.d.next = 0.into();
                            self.ev_word.next = true;
                        }
                    }
                }
            }
            CmdState::Finish => {
                self.io_out_ready.next = true;
                if self.a_ptr.q.val() == self.out_total.q.val() {
                    self.ans_base.d.next = 0.into();
                    self.ans_len.d.next = bit_cast::<16, 13>(self.out_total.q.val());
                    self.ans_code.d.next = 0x82.into();
                    if self.mode.q.val() == 1 {
                        self.ans_code.d.next = 0x83.into();
                    }
                    self.state.d.next = CmdState::Answer;
                }
            }
            CmdState::CopyStatus => {
                self.s_hold.next = true;
                if self.s_idle.val() {
                    self.s_read.next = true;
                    self.state.d.next = CmdState::StatusTake;
                }
            }
            CmdState::StatusTake => {
                self.s_hold.next = true;
                self.a_addr.next = self.i.q.val();
                self.a_data.next = self.s_value.val();
                self.a_we.next = true;
                self.i.d.next = self.i.q.val() + 1;
                self.state.d.next = CmdState::CopyStatus;
                if self.i.q.val() == 31 {
                    self.ans_code.d.next = 0x84.into();
                    self.ans_len.d.next = 32.into();
                    self.ans_base.d.next = 0.into();
                    self.state.d.next = CmdState::Answer;
                }
            }
            CmdState::Refuse => {
                self.a_addr.next = 0.into();
                self.a_data.next = bit_cast::<8, 3>(self.err.q.val());
                self.a_we.next = true;
                self.ev_refused.next = true;
                self.ans_code.d.next = 0xFF.into();
                self.ans_len.d.next = 1.into();
                self.ans_base.d.next = 0.into();
                self.state.d.next = CmdState::Answer;
            }
            CmdState::Answer => {
                self.have_last.d.next = true;
                self.last_seq.d.next = self.f_seq.val();
                self.tx_seq.next = self.f_seq.val();
                self.tx_start.next = true;
                self.mode.d.next = 0.into();
                self.state.d.next = CmdState::Release;
            }
            CmdState::Release => {
                self.f_release.next = true;
                self.state.d.next = CmdState::Idle;
            }
            _ => {
                self.state.d.next = CmdState::Idle;
            }
        }
        // Output bytes of an INFER go into the answer buffer while inputs stream.
        if self.io_out_ready.val() & self.io_out_valid.val() & (self.a_ptr.q.val() != self.out_total.q.val()) {
            self.a_we.next = true;
            self.a_ptr.d.next = self.a_ptr.q.val() + 1;
            self.vb.d.next = self.vb.q.val() + 1;
            if self.vb.q.val() + 1 == self.out_vec.val() {
                self.vb.d.next = 0.into();
                self.ev_infer.next = true;
            }
        }
        if self.reset.val() {
            self.state.d.next = CmdState::Idle;
            self.have_last.d.next = false;
            self.mode.d.next = 0.into();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::link::bench::Clocked;
    use std::collections::VecDeque;

    /// The engine with Rust models of its neighbours: buffers, counters, transmitter, adapter.
    struct Rig {
        tb: Clocked<CommandEngine>,
        request: Vec<u8>,
        answer: Vec<u8>,
        io_out: VecDeque<u8>,
        io_in: Vec<u8>,
        q_data: u8,
        s_value: u8,
        events: [usize; 4],
    }

    /// What the transmitter was asked to send.
    #[derive(Debug, PartialEq, Eq)]
    struct Sent {
        seq: u8,
        code: u8,
        len: usize,
        base: usize,
    }

    impl Rig {
        fn new() -> Rig {
            let mut tb = Clocked::new(CommandEngine::new(20, 6, 3, 100, 50), |b| &mut b.clock);
            tb.dut.reset.next = true;
            tb.tick();
            tb.dut.reset.next = false;
            Rig {
                tb,
                request: vec![0; 256],
                answer: vec![0; 256],
                io_out: VecDeque::new(),
                io_in: Vec::new(),
                q_data: 0,
                s_value: 0,
                events: [0; 4],
            }
        }

        /// Offers a frame until the engine releases it; returns what it sent.
        fn frame(&mut self, seq: u8, code: u8, data: &[u8], mem_ok: bool) -> Option<Sent> {
            self.request[..data.len()].copy_from_slice(data);
            let mut sent = None;
            for _ in 0..2000 {
                let d = &mut self.tb.dut;
                d.f_valid.next = true;
                d.f_seq.next = u64::from(seq).into();
                d.f_code.next = u64::from(code).into();
                d.f_len.next = (data.len() as u64).into();
                d.q_data.next = u64::from(self.q_data).into();
                d.tx_busy.next = false;
                d.io_in_ready.next = true;
                d.io_out_valid.next = !self.io_out.is_empty();
                d.io_out_data.next = u64::from(self.io_out.front().copied().unwrap_or(0)).into();
                d.mem_ok.next = mem_ok;
                d.mem_wb.next = 2.into();
                d.mem_depth.next = 8.into();
                d.s_idle.next = true;
                d.s_value.next = u64::from(self.s_value).into();
                self.tb.settle();
                let d = &self.tb.dut;
                if d.a_we.val() {
                    self.answer[d.a_addr.val().index()] = d.a_data.val().to_u8();
                }
                if d.io_out_valid.val() && d.io_out_ready.val() {
                    self.io_out.pop_front();
                }
                if d.io_in_valid.val() && d.io_in_ready.val() {
                    self.io_in.push(d.io_in_data.val().to_u8());
                }
                if d.tx_start.val() {
                    sent = Some(Sent {
                        seq: d.tx_seq.val().to_u8(),
                        code: d.tx_code.val().to_u8(),
                        len: d.tx_len.val().index(),
                        base: d.tx_base.val().index(),
                    });
                }
                for (k, ev) in
                    [d.ev_dup.val(), d.ev_refused.val(), d.ev_infer.val(), d.ev_word.val()].into_iter().enumerate()
                {
                    self.events[k] += usize::from(ev);
                }
                let status = d.s_read.val().then(|| (d.s_index.val().to_u64() * 3) as u8);
                let release = d.f_release.val();
                let read = d.q_en.val().then(|| self.request[d.q_addr.val().index()]);
                self.tb.tick();
                if let Some(b) = read {
                    self.q_data = b;
                }
                if let Some(b) = status {
                    self.s_value = b;
                }
                if release {
                    self.tb.dut.f_valid.next = false;
                    self.tb.settle();
                    return sent;
                }
            }
            panic!("the engine never released the frame");
        }
    }

    #[test]
    fn executes_requests_refuses_and_answers_retries_from_the_stored_answer() {
        let mut rig = Rig::new();
        assert_eq!(rig.frame(1, 1, &[], true), Some(Sent { seq: 1, code: 0x81, len: 50, base: 100 }), "INFO");
        assert_eq!(
            rig.frame(1, 4, &[], true),
            Some(Sent { seq: 1, code: 0x81, len: 50, base: 100 }),
            "a retry of seq 1"
        );
        assert_eq!(rig.events[0], 1);
        assert_eq!(rig.frame(2, 4, &[], true), Some(Sent { seq: 2, code: 0x84, len: 32, base: 0 }), "STATUS");
        assert_eq!(rig.answer[..32], (0..32).map(|i| (i * 3) as u8).collect::<Vec<_>>()[..]);
        for (seq, code, data, mem_ok, err) in [
            (3, 5u8, vec![0; 7], true, 1u8),
            (4, 9, vec![], true, 1),
            (5, 1, vec![0], true, 2),
            (6, 2, vec![7, 0, 0, 0, 0, 1, 2], false, 3),
            (7, 2, vec![0, 7, 0, 0, 0, 1, 2, 3, 4], true, 4),
            (8, 2, vec![0, 0, 0, 0, 0, 1, 2, 3], true, 2),
            (9, 3, vec![4, 0], true, 5),
            (10, 3, vec![1, 0, 9], true, 2),
        ] {
            assert_eq!(
                rig.frame(seq, code, &data, mem_ok),
                Some(Sent { seq, code: 0xFF, len: 1, base: 0 }),
                "refusal {err}"
            );
            assert_eq!(rig.answer[0], err, "refusal of seq {seq}");
        }
        assert_eq!(rig.events[1], 8);
        assert!(rig.io_in.is_empty(), "a refused request streams nothing");
        // WRITE of two 2-byte words at 6: streamed, two words counted.
        assert_eq!(
            rig.frame(11, 2, &[0, 6, 0, 0, 0, 1, 2, 3, 4], true),
            Some(Sent { seq: 11, code: 0x82, len: 0, base: 0 })
        );
        assert_eq!((rig.io_in.clone(), rig.events[3]), (vec![1, 2, 3, 4], 2));
        // INFER of two vectors: inputs streamed, outputs collected.
        rig.io_in.clear();
        rig.io_out.extend((0..12).map(|i| 100 + i));
        let mut req = vec![2, 0];
        req.extend((0..40).map(|i| i as u8));
        assert_eq!(rig.frame(12, 3, &req, true), Some(Sent { seq: 12, code: 0x83, len: 12, base: 0 }));
        assert_eq!(rig.io_in, (0..40).collect::<Vec<u8>>());
        assert_eq!(rig.answer[..12], (100..112).collect::<Vec<u8>>()[..]);
        assert_eq!(rig.events[2], 2);
    }
}
