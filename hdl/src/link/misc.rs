//! Reset and LEDs.
//!
//! [`ResetSync`] ports: `clock`, `rst_in` (asynchronous, active high: a button or the
//! simulator); out: `reset` (synchronous, active high). `reset` is high from power-on for 16
//! cycles and while `rst_in` is high, and falls 2–3 cycles after `rst_in` falls (two
//! synchroniser flip-flops, then the power-on counter's last cycle).
//!
//! [`Leds`] ports: `clock`, `reset`; in: `busy` (the command engine works), `activity` (a byte
//! arrived), `error` (a frame was dropped); out: `heartbeat`, `busy_led`, `error_led`. Parameter:
//! the clock frequency, which sets the heartbeat (about 1 Hz) and how long an event keeps its LED
//! lit (about 50 ms, so single events are visible). All outputs are active high.

use rust_hdl::prelude::*;

/// Reset synchroniser with power-on reset (see the module doc).
#[derive(LogicBlock, Default)]
pub struct ResetSync {
    /// Clock.
    pub clock: Signal<In, Clock>,
    /// Asynchronous reset request, active high.
    pub rst_in: Signal<In, Bit>,
    /// Synchronous reset, active high.
    pub reset: Signal<Out, Bit>,
    sync1: DFF<Bit>,
    sync2: DFF<Bit>,
    count: DFF<Bits<4>>,
    done: DFF<Bit>,
}

impl Logic for ResetSync {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, sync1, sync2, count, done);
        self.sync1.d.next = self.rst_in.val();
        self.sync2.d.next = self.sync1.q.val();
        if !self.done.q.val() {
            self.count.d.next = self.count.q.val() + 1;
            if self.count.q.val() == 15 {
                self.done.d.next = true;
            }
        }
        self.reset.next = !self.done.q.val() | self.sync2.q.val();
    }
}

/// LED drivers (see the module doc).
#[derive(LogicBlock)]
pub struct Leds {
    /// Clock.
    pub clock: Signal<In, Clock>,
    /// Synchronous reset, active high.
    pub reset: Signal<In, Bit>,
    /// The command engine is working.
    pub busy: Signal<In, Bit>,
    /// A byte arrived.
    pub activity: Signal<In, Bit>,
    /// A frame was dropped.
    pub error: Signal<In, Bit>,
    /// Blinks at about 1 Hz while the clock runs.
    pub heartbeat: Signal<Out, Bit>,
    /// Lit while busy or receiving.
    pub busy_led: Signal<Out, Bit>,
    /// Lit for a while after an error.
    pub error_led: Signal<Out, Bit>,
    /// Counts clock cycles to a tick of about 50 ms.
    prescale: DFF<Bits<24>>,
    /// Ticks, wrapping every 20 (one heartbeat period).
    ticks: DFF<Bits<5>>,
    busy_hold: DFF<Bits<2>>,
    error_hold: DFF<Bits<2>>,
    tick_len: Constant<Bits<24>>,
    tick: Signal<Local, Bit>,
}

impl Leds {
    /// LEDs for a clock of `clock_hz` (ticks are capped at 2^24 cycles: faster clocks blink faster).
    pub fn new(clock_hz: u64) -> Self {
        Leds {
            clock: Default::default(),
            reset: Default::default(),
            busy: Default::default(),
            activity: Default::default(),
            error: Default::default(),
            heartbeat: Default::default(),
            busy_led: Default::default(),
            error_led: Default::default(),
            prescale: Default::default(),
            ticks: Default::default(),
            busy_hold: Default::default(),
            error_hold: Default::default(),
            tick_len: Constant::new((clock_hz / 20).clamp(2, (1 << 24) - 1).into()),
            tick: Default::default(),
        }
    }
}

impl Logic for Leds {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, prescale, ticks, busy_hold, error_hold);
        self.tick.next = self.prescale.q.val() == self.tick_len.val();
        self.prescale.d.next = self.prescale.q.val() + 1;
        if self.tick.val() {
            self.prescale.d.next = 0.into();
            self.ticks.d.next = self.ticks.q.val() + 1;
            if self.ticks.q.val() == 19 {
                self.ticks.d.next = 0.into();
            }
            if self.busy_hold.q.val() != 0 {
                self.busy_hold.d.next = self.busy_hold.q.val() - 1;
            }
            if self.error_hold.q.val() != 0 {
                self.error_hold.d.next = self.error_hold.q.val() - 1;
            }
        }
        if self.busy.val() | self.activity.val() {
            self.busy_hold.d.next = 2.into();
        }
        if self.error.val() {
            self.error_hold.d.next = 2.into();
        }
        self.heartbeat.next = self.ticks.q.val() < 10;
        self.busy_led.next = self.busy_hold.q.val() != 0;
        self.error_led.next = self.error_hold.q.val() != 0;
        if self.reset.val() {
            self.busy_hold.d.next = 0.into();
            self.error_hold.d.next = 0.into();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::link::bench::Clocked;

    #[test]
    fn reset_after_power_on_and_while_requested() {
        let mut tb = Clocked::new(ResetSync::default(), |b| &mut b.clock);
        let mut levels = Vec::new();
        for c in 0..40 {
            tb.dut.rst_in.next = (25..28).contains(&c);
            tb.settle();
            levels.push(tb.dut.reset.val());
            tb.tick();
        }
        let high: Vec<usize> = levels.iter().enumerate().filter(|(_, &l)| l).map(|(c, _)| c).collect();
        assert_eq!(high, (0..16).chain(27..30).collect::<Vec<_>>());
    }

    #[test]
    fn heartbeat_blinks_and_events_light_their_leds_for_a_while() {
        // 400 Hz: a tick every 20 cycles, a heartbeat period of 400 cycles.
        let mut tb = Clocked::new(Leds::new(400), |b| &mut b.clock);
        tb.dut.reset.next = true;
        tb.tick();
        tb.dut.reset.next = false;
        let (mut beat_edges, mut last, mut error_lit) = (0, false, 0);
        for c in 0..2000 {
            tb.dut.error.next = c == 1000;
            tb.dut.busy.next = false;
            tb.dut.activity.next = false;
            tb.settle();
            let hb = tb.dut.heartbeat.val();
            beat_edges += usize::from(hb != last);
            last = hb;
            error_lit += usize::from(tb.dut.error_led.val());
            assert!(!tb.dut.busy_led.val());
            tb.tick();
        }
        assert!((9..=11).contains(&beat_edges), "{beat_edges} heartbeat edges in 2000 cycles");
        assert!((20..=42).contains(&error_lit), "error LED lit {error_lit} cycles");
    }
}
