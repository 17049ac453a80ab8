//! UART receiver and transmitter, 8 data bits, no parity, 1 stop bit, least significant bit
//! first, idle high.
//!
//! Both take the baud divisor (clock cycles per bit, at least 4) as an input port: the board top
//! ties it to the constant computed from its clock and baud rate; the virtual board drives it.
//!
//! [`UartRx`] ports: `clock`, `reset` (synchronous), `divisor[16]`, `rx` (asynchronous pin,
//! synchronised by two flip-flops inside); out: `data[8]`, `valid` (one cycle per byte),
//! `frame_error` (one cycle when a stop bit is low; the byte is dropped) and `busy` (a byte is
//! being received). It samples each bit in
//! its middle: the start bit `divisor/2` cycles after the falling edge is seen, then every
//! `divisor` cycles. Latency: `valid` rises 2 + divisor/2 + 9·divisor cycles after the start
//! bit's falling edge, in the middle of the stop bit, so a new start bit is caught at once.
//!
//! [`UartTx`] ports: `clock`, `reset`, `divisor[16]`, `data[8]`, `valid`; out: `ready` and the
//! pin `tx`. A byte is taken at a rising edge where `valid && ready`; the start bit begins on
//! the next cycle, and each of the 10 bits lasts `divisor` cycles. `ready` is also high in the
//! last cycle of a stop bit, so back-to-back bytes leave with no idle cycle: 10·divisor cycles
//! per byte.

use rust_hdl::prelude::*;

/// Receiver state.
#[derive(Copy, Clone, PartialEq, Eq, Debug, LogicState)]
pub enum RxState {
    /// Waiting for a start bit.
    Idle,
    /// Counting to the middle of the start bit.
    Start,
    /// Sampling data bits.
    Data,
    /// Sampling the stop bit.
    Stop,
}

/// UART receiver (see the module doc).
#[derive(LogicBlock)]
pub struct UartRx {
    /// Clock.
    pub clock: Signal<In, Clock>,
    /// Synchronous reset, active high.
    pub reset: Signal<In, Bit>,
    /// Clock cycles per bit (at least 4).
    pub divisor: Signal<In, Bits<16>>,
    /// The receive pin.
    pub rx: Signal<In, Bit>,
    /// The byte received (valid with `valid`).
    pub data: Signal<Out, Bits<8>>,
    /// High for one cycle per byte received.
    pub valid: Signal<Out, Bit>,
    /// High for one cycle when a stop bit was low.
    pub frame_error: Signal<Out, Bit>,
    /// Receiving a byte (between its start bit and the middle of its stop bit).
    pub busy: Signal<Out, Bit>,
    sync1: DFFWithInit<Bit>,
    sync2: DFFWithInit<Bit>,
    state: DFF<RxState>,
    count: DFF<Bits<16>>,
    bits: DFF<Bits<3>>,
    shift: DFF<Bits<8>>,
    out: DFF<Bits<8>>,
    strobe: DFF<Bit>,
    error: DFF<Bit>,
}

impl Default for UartRx {
    fn default() -> Self {
        UartRx {
            clock: Default::default(),
            reset: Default::default(),
            divisor: Default::default(),
            rx: Default::default(),
            data: Default::default(),
            valid: Default::default(),
            frame_error: Default::default(),
            busy: Default::default(),
            sync1: DFFWithInit::new(true),
            sync2: DFFWithInit::new(true),
            state: Default::default(),
            count: Default::default(),
            bits: Default::default(),
            shift: Default::default(),
            out: Default::default(),
            strobe: Default::default(),
            error: Default::default(),
        }
    }
}

impl Logic for UartRx {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, sync1, sync2, state, count, bits, shift, out, strobe, error);
        self.sync1.d.next = self.rx.val();
        self.sync2.d.next = self.sync1.q.val();
        self.data.next = self.out.q.val();
        self.valid.next = self.strobe.q.val();
        self.frame_error.next = self.error.q.val();
        self.busy.next = self.state.q.val() != RxState::Idle;
        self.strobe.d.next = false;
        self.error.d.next = false;
        self.count.d.next = self.count.q.val() - 1;
        match self.state.q.val() {
            RxState::Idle => {
                if !self.sync2.q.val() {
                    self.state.d.next = RxState::Start;
                    self.count.d.next = (self.divisor.val() >> 1) - 1;
                }
            }
            RxState::Start => {
                if self.count.q.val() == 0 {
                    self.count.d.next = self.divisor.val() - 1;
                    self.bits.d.next = 0.into();
                    if self.sync2.q.val() {
                        // A glitch, not a start bit.
                        self.state.d.next = RxState::Idle;
                    } else {
                        self.state.d.next = RxState::Data;
                    }
                }
            }
            RxState::Data => {
                if self.count.q.val() == 0 {
                    self.count.d.next = self.divisor.val() - 1;
                    self.shift.d.next = (self.shift.q.val() >> 1) | (bit_cast::<8, 1>(self.sync2.q.val().into()) << 7);
                    self.bits.d.next = self.bits.q.val() + 1;
                    if self.bits.q.val() == 7 {
                        self.state.d.next = RxState::Stop;
                    }
                }
            }
            RxState::Stop => {
                if self.count.q.val() == 0 {
                    self.state.d.next = RxState::Idle;
                    if self.sync2.q.val() {
                        self.out.d.next = self.shift.q.val();
                        self.strobe.d.next = true;
                    } else {
                        self.error.d.next = true;
                    }
                }
            }
            _ => {
                self.state.d.next = RxState::Idle;
            }
        }
        if self.reset.val() {
            self.state.d.next = RxState::Idle;
            self.strobe.d.next = false;
            self.error.d.next = false;
        }
    }
}

/// UART transmitter (see the module doc).
#[derive(LogicBlock, Default)]
pub struct UartTx {
    /// Clock.
    pub clock: Signal<In, Clock>,
    /// Synchronous reset, active high.
    pub reset: Signal<In, Bit>,
    /// Clock cycles per bit (at least 4).
    pub divisor: Signal<In, Bits<16>>,
    /// The byte to send.
    pub data: Signal<In, Bits<8>>,
    /// `data` is valid.
    pub valid: Signal<In, Bit>,
    /// The transmitter takes a byte at this edge if `valid`.
    pub ready: Signal<Out, Bit>,
    /// The transmit pin.
    pub tx: Signal<Out, Bit>,
    /// Stop bit, data, start bit; shifted out from bit 0. Stored inverted (all zero = idle
    /// high), so the power-on value is the idle line.
    shift: DFF<Bits<10>>,
    count: DFF<Bits<16>>,
    bits: DFF<Bits<4>>,
    last: Signal<Local, Bit>,
    take: Signal<Local, Bit>,
}

impl Logic for UartTx {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, shift, count, bits);
        self.tx.next = !self.shift.q.val().get_bit(0);
        // The last cycle of the stop bit, or idle.
        self.last.next = (self.bits.q.val() == 0) | ((self.bits.q.val() == 1) & (self.count.q.val() == 0));
        self.ready.next = self.last.val();
        self.take.next = self.last.val() & self.valid.val();
        if self.bits.q.val() != 0 {
            self.count.d.next = self.count.q.val() - 1;
            if self.count.q.val() == 0 {
                self.count.d.next = self.divisor.val() - 1;
                self.shift.d.next = self.shift.q.val() >> 1;
                self.bits.d.next = self.bits.q.val() - 1;
            }
        }
        if self.take.val() {
            // Inverted: start bit 0 -> 1, data inverted, stop bit 1 -> 0.
            // (Widen before inverting: Verilog would invert the widened bits too.)
            self.shift.d.next = ((bit_cast::<10, 8>(self.data.val()) ^ 0xFF) << 1) | 1;
            self.count.d.next = self.divisor.val() - 1;
            self.bits.d.next = 10.into();
        }
        if self.reset.val() {
            self.shift.d.next = 0.into();
            self.bits.d.next = 0.into();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::link::bench::Clocked;

    /// Bytes through the transmitter into the receiver, back to back, at divisor `d`.
    fn loopback(d: u64, bytes: &[u8]) -> (Vec<u8>, Vec<u64>) {
        let mut tx = Clocked::new(UartTx::default(), |b| &mut b.clock);
        let mut rx = Clocked::new(UartRx::default(), |b| &mut b.clock);
        tx.dut.divisor.next = d.into();
        rx.dut.divisor.next = d.into();
        rx.dut.rx.next = true;
        for tb in [&mut tx.dut.reset, &mut rx.dut.reset] {
            tb.next = true;
        }
        tx.settle();
        rx.settle();
        tx.tick();
        rx.tick();
        tx.dut.reset.next = false;
        rx.dut.reset.next = false;
        let (mut got, mut taken, mut next) = (Vec::new(), Vec::new(), 0);
        for cycle in 0..(bytes.len() as u64 + 2) * 10 * d + 100 {
            tx.dut.valid.next = next < bytes.len();
            tx.dut.data.next = u64::from(bytes.get(next).copied().unwrap_or(0)).into();
            tx.settle();
            rx.dut.rx.next = tx.dut.tx.val();
            rx.settle();
            assert!(!rx.dut.frame_error.val(), "frame error in cycle {cycle}");
            if rx.dut.valid.val() {
                got.push(rx.dut.data.val().to_u8());
            }
            if tx.dut.valid.val() && tx.dut.ready.val() {
                taken.push(cycle);
                next += 1;
            }
            tx.tick();
            rx.tick();
        }
        (got, taken)
    }

    #[test]
    fn bytes_cross_back_to_back_at_ten_bits_each() {
        for d in [4, 5, 13] {
            let bytes: Vec<u8> = (0..40u32).map(|i| (i * 89 + 7) as u8).chain([0x00, 0xFF, 0xC0, 0xDB]).collect();
            let (got, taken) = loopback(d, &bytes);
            assert_eq!(got, bytes, "divisor {d}");
            // After the first byte, one byte leaves every 10·d cycles exactly.
            for w in taken.windows(2) {
                assert_eq!(w[1] - w[0], 10 * d, "divisor {d}");
            }
        }
    }

    #[test]
    fn a_low_stop_bit_is_a_frame_error_and_a_glitch_is_ignored() {
        let d = 8u64;
        let mut rx = Clocked::new(UartRx::default(), |b| &mut b.clock);
        rx.dut.divisor.next = d.into();
        rx.dut.rx.next = true;
        rx.settle();
        for _ in 0..20 {
            rx.tick();
        }
        // A one-cycle glitch, then a byte 0x00 whose stop bit is low, then idle.
        let mut line = vec![false];
        line.extend(vec![true; 30]);
        line.extend(vec![false; 10 * d as usize]);
        line.extend(vec![true; 40]);
        let (mut errors, mut bytes) = (0, 0);
        for bit in line {
            rx.dut.rx.next = bit;
            rx.settle();
            errors += rx.dut.frame_error.val() as usize;
            bytes += rx.dut.valid.val() as usize;
            rx.tick();
        }
        assert_eq!((errors, bytes), (1, 0));
    }
}
