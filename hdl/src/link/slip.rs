//! SLIP framing in hardware, byte for byte the state machines of `bitloom_protocol::slip`.
//!
//! [`SlipDecoder`] turns escaped wire bytes into *tokens*: a data byte, or the end of a frame
//! (`end`), whose `bad` flag says the frame held an invalid escape (`ESC` followed by anything
//! but `ESC_END`/`ESC_ESC`, or `ESC END`). Ports: `clock`, `reset`; in: `in_data[8]`,
//! `in_valid`, out `in_ready`; out: `out_data[8]`, `out_end`, `out_bad`, `out_valid`, in
//! `out_ready`. Combinational (no latency): an `ESC`, and the byte after an invalid escape,
//! are consumed without a token. Two state bits: after-`ESC` and bad-frame.
//!
//! [`SlipEncoder`] turns tokens into wire bytes: a data `END` or `ESC` becomes two bytes, an
//! end token one `END`. Ports: `clock`, `reset`; in: `in_data[8]`, `in_end`, `in_valid`, out
//! `in_ready`; out: `out_data[8]`, `out_valid`, in `out_ready`. Its output is a register
//! (latency 1), so the transmitter finds the next byte waiting; II one byte per cycle.

use bitloom_protocol::slip::{END, ESC, ESC_END, ESC_ESC};
use rust_hdl::prelude::*;

/// SLIP decoder (see the module doc).
#[derive(LogicBlock)]
pub struct SlipDecoder {
    /// Clock.
    pub clock: Signal<In, Clock>,
    /// Synchronous reset, active high.
    pub reset: Signal<In, Bit>,
    /// A wire byte.
    pub in_data: Signal<In, Bits<8>>,
    /// `in_data` is valid.
    pub in_valid: Signal<In, Bit>,
    /// The decoder takes the byte.
    pub in_ready: Signal<Out, Bit>,
    /// The token's data byte.
    pub out_data: Signal<Out, Bits<8>>,
    /// The token ends a frame.
    pub out_end: Signal<Out, Bit>,
    /// The frame this end token closes held an invalid escape.
    pub out_bad: Signal<Out, Bit>,
    /// A token is offered.
    pub out_valid: Signal<Out, Bit>,
    /// The consumer takes the token.
    pub out_ready: Signal<In, Bit>,
    escaped: DFF<Bit>,
    bad: DFF<Bit>,
    k_end: Constant<Bits<8>>,
    k_esc: Constant<Bits<8>>,
    k_esc_end: Constant<Bits<8>>,
    k_esc_esc: Constant<Bits<8>>,
    take: Signal<Local, Bit>,
}

impl Default for SlipDecoder {
    fn default() -> Self {
        SlipDecoder {
            clock: Default::default(),
            reset: Default::default(),
            in_data: Default::default(),
            in_valid: Default::default(),
            in_ready: Default::default(),
            out_data: Default::default(),
            out_end: Default::default(),
            out_bad: Default::default(),
            out_valid: Default::default(),
            out_ready: Default::default(),
            escaped: Default::default(),
            bad: Default::default(),
            k_end: Constant::new(u64::from(END).into()),
            k_esc: Constant::new(u64::from(ESC).into()),
            k_esc_end: Constant::new(u64::from(ESC_END).into()),
            k_esc_esc: Constant::new(u64::from(ESC_ESC).into()),
            take: Default::default(),
        }
    }
}

impl Logic for SlipDecoder {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, escaped, bad);
        self.out_data.next = self.in_data.val();
        self.out_end.next = false;
        self.out_bad.next = self.bad.q.val() | self.escaped.q.val();
        self.out_valid.next = false;
        self.in_ready.next = true;
        if self.in_data.val() == self.k_end.val() {
            // End of frame: a token carrying the frame's verdict.
            self.out_end.next = true;
            self.out_valid.next = self.in_valid.val();
            self.in_ready.next = self.out_ready.val();
        } else if self.escaped.q.val() {
            if self.in_data.val() == self.k_esc_end.val() {
                self.out_data.next = self.k_end.val();
                self.out_valid.next = self.in_valid.val();
                self.in_ready.next = self.out_ready.val();
            } else if self.in_data.val() == self.k_esc_esc.val() {
                self.out_data.next = self.k_esc.val();
                self.out_valid.next = self.in_valid.val();
                self.in_ready.next = self.out_ready.val();
            }
        } else if self.in_data.val() != self.k_esc.val() {
            self.out_valid.next = self.in_valid.val();
            self.in_ready.next = self.out_ready.val();
        }
        self.take.next = self.in_valid.val() & self.in_ready.val();
        if self.take.val() {
            if self.in_data.val() == self.k_end.val() {
                self.escaped.d.next = false;
                self.bad.d.next = false;
            } else if self.escaped.q.val() {
                self.escaped.d.next = false;
                if (self.in_data.val() != self.k_esc_end.val()) & (self.in_data.val() != self.k_esc_esc.val()) {
                    self.bad.d.next = true;
                }
            } else if self.in_data.val() == self.k_esc.val() {
                self.escaped.d.next = true;
            }
        }
        if self.reset.val() {
            self.escaped.d.next = false;
            self.bad.d.next = false;
        }
    }
}

/// SLIP encoder (see the module doc).
#[derive(LogicBlock)]
pub struct SlipEncoder {
    /// Clock.
    pub clock: Signal<In, Clock>,
    /// Synchronous reset, active high.
    pub reset: Signal<In, Bit>,
    /// The token's data byte.
    pub in_data: Signal<In, Bits<8>>,
    /// The token ends the frame (its data is ignored).
    pub in_end: Signal<In, Bit>,
    /// A token is offered.
    pub in_valid: Signal<In, Bit>,
    /// The encoder takes the token.
    pub in_ready: Signal<Out, Bit>,
    /// A wire byte.
    pub out_data: Signal<Out, Bits<8>>,
    /// `out_data` is valid.
    pub out_valid: Signal<Out, Bit>,
    /// The consumer takes the byte.
    pub out_ready: Signal<In, Bit>,
    data: DFF<Bits<8>>,
    valid: DFF<Bit>,
    /// The second byte of an escape, waiting.
    pending: DFF<Bits<8>>,
    has_pending: DFF<Bit>,
    k_end: Constant<Bits<8>>,
    k_esc: Constant<Bits<8>>,
    k_esc_end: Constant<Bits<8>>,
    k_esc_esc: Constant<Bits<8>>,
    free: Signal<Local, Bit>,
}

impl Default for SlipEncoder {
    fn default() -> Self {
        SlipEncoder {
            clock: Default::default(),
            reset: Default::default(),
            in_data: Default::default(),
            in_end: Default::default(),
            in_valid: Default::default(),
            in_ready: Default::default(),
            out_data: Default::default(),
            out_valid: Default::default(),
            out_ready: Default::default(),
            data: Default::default(),
            valid: Default::default(),
            pending: Default::default(),
            has_pending: Default::default(),
            k_end: Constant::new(u64::from(END).into()),
            k_esc: Constant::new(u64::from(ESC).into()),
            k_esc_end: Constant::new(u64::from(ESC_END).into()),
            k_esc_esc: Constant::new(u64::from(ESC_ESC).into()),
            free: Default::default(),
        }
    }
}

impl Logic for SlipEncoder {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, data, valid, pending, has_pending);
        self.out_data.next = self.data.q.val();
        self.out_valid.next = self.valid.q.val();
        self.free.next = !self.valid.q.val() | self.out_ready.val();
        self.in_ready.next = self.free.val() & !self.has_pending.q.val();
        if self.free.val() {
            self.valid.d.next = false;
            if self.has_pending.q.val() {
                self.data.d.next = self.pending.q.val();
                self.valid.d.next = true;
                self.has_pending.d.next = false;
            } else if self.in_valid.val() {
                self.valid.d.next = true;
                if self.in_end.val() {
                    self.data.d.next = self.k_end.val();
                } else if self.in_data.val() == self.k_end.val() {
                    self.data.d.next = self.k_esc.val();
                    self.pending.d.next = self.k_esc_end.val();
                    self.has_pending.d.next = true;
                } else if self.in_data.val() == self.k_esc.val() {
                    self.data.d.next = self.k_esc.val();
                    self.pending.d.next = self.k_esc_esc.val();
                    self.has_pending.d.next = true;
                } else {
                    self.data.d.next = self.in_data.val();
                }
            }
        }
        if self.reset.val() {
            self.valid.d.next = false;
            self.has_pending.d.next = false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::link::bench::Clocked;
    use bitloom_protocol::slip::{encode, Decoder, Event};

    /// Wire bytes full of the special values: frames, stray escapes, empty frames.
    fn wire(seed: u64) -> Vec<u8> {
        let mut x = seed;
        let mut next = move || {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (x >> 33) as u32
        };
        let special = [END, ESC, ESC_END, ESC_ESC, 0, 0x41];
        let mut out = Vec::new();
        for _ in 0..40 {
            let frame: Vec<u8> = (0..next() % 12).map(|_| special[next() as usize % special.len()]).collect();
            if next() % 4 == 0 {
                out.extend(&frame); // raw: may hold bad escapes
                out.push(END);
            } else {
                encode(&frame, &mut out);
            }
        }
        out
    }

    #[test]
    fn decoder_tokens_match_the_protocol_decoder_under_backpressure() {
        for seed in 1..6 {
            let bytes = wire(seed);
            // The software decoder's frames and verdicts.
            let mut sw = Decoder::new(usize::MAX);
            let want: Vec<Event> = bytes.iter().map(|&b| sw.push(b)).filter(|e| *e != Event::Pending).collect();
            let mut tb = Clocked::new(SlipDecoder::default(), |b| &mut b.clock);
            let (mut i, mut frame, mut got) = (0, Vec::new(), Vec::new());
            let mut cycle = 0u64;
            while i < bytes.len() {
                tb.dut.in_data.next = u64::from(bytes[i]).into();
                tb.dut.in_valid.next = cycle % 3 != 1;
                tb.dut.out_ready.next = cycle % 5 != 2;
                tb.settle();
                if tb.dut.out_valid.val() && tb.dut.out_ready.val() {
                    if tb.dut.out_end.val() {
                        let f = std::mem::take(&mut frame);
                        got.push(if tb.dut.out_bad.val() {
                            Event::BadEscape
                        } else if f.is_empty() {
                            Event::Pending
                        } else {
                            Event::Frame(f)
                        });
                    } else {
                        frame.push(tb.dut.out_data.val().to_u8());
                    }
                }
                if tb.dut.in_valid.val() && tb.dut.in_ready.val() {
                    i += 1;
                }
                tb.tick();
                cycle += 1;
            }
            got.retain(|e| *e != Event::Pending);
            assert_eq!(got, want, "seed {seed}");
        }
    }

    #[test]
    fn encoder_bytes_match_the_protocol_encoder_under_backpressure() {
        let frames: Vec<Vec<u8>> = vec![vec![1, END, 2], vec![ESC, ESC, END], vec![], vec![0x55; 7]];
        let mut want = Vec::new();
        for f in &frames {
            encode(f, &mut want);
        }
        let tokens: Vec<(u8, bool)> =
            frames.iter().flat_map(|f| f.iter().map(|&b| (b, false)).chain([(0, true)])).collect();
        let mut tb = Clocked::new(SlipEncoder::default(), |b| &mut b.clock);
        let (mut i, mut got, mut cycle) = (0, Vec::new(), 0u64);
        while got.len() < want.len() && cycle < 1000 {
            let (b, end) = tokens.get(i).copied().unwrap_or((0, false));
            tb.dut.in_data.next = u64::from(b).into();
            tb.dut.in_end.next = end;
            tb.dut.in_valid.next = i < tokens.len() && cycle % 4 != 3;
            tb.dut.out_ready.next = cycle % 3 != 0;
            tb.settle();
            if tb.dut.out_valid.val() && tb.dut.out_ready.val() {
                got.push(tb.dut.out_data.val().to_u8());
            }
            if tb.dut.in_valid.val() && tb.dut.in_ready.val() {
                i += 1;
            }
            tb.tick();
            cycle += 1;
        }
        assert_eq!(got, want);
    }
}
