//! The link's fixed-width part as one rust-hdl block: reset, UART in and out, receive FIFO,
//! SLIP, frame checks, request and answer buffers, command engine, status counters and LEDs.
//!
//! Ports: `clock`; `rst_in` (asynchronous reset request), `uart_rx`, `baud_div[16]`; out:
//! `uart_tx`, `led_heartbeat`, `led_busy`, `led_error`, `reset` (the synchronous reset it gives
//! the I/O adapter and the dataflow), `active` (the link has work); the I/O adapter's command and byte ports (see
//! [`super::command`]). Parameters: [`CoreParams`].
//!
//! Data path: `uart_rx → UartRx → ByteFifo → SlipDecoder → FrameRx → request buffer`, then
//! `CommandEngine` (request buffer → I/O adapter → answer buffer), then
//! `answer buffer → FrameTx → SlipEncoder → UartTx → uart_tx`. The INFO answer is part of the
//! answer buffer's initial contents, above the space for computed answers.

use super::command::CommandEngine;
use super::fifo::ByteFifo;
use super::frame::{FrameRx, FrameTx};
use super::misc::{Leds, ResetSync};
use super::ram::ByteRam;
use super::slip::{SlipDecoder, SlipEncoder};
use super::status::StatusCounters;
use super::uart::{UartRx, UartTx};
use rust_hdl::prelude::*;

/// The sizes and constants of one design's link.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CoreParams {
    /// Clock frequency (for the LEDs' timing).
    pub clock_hz: u64,
    /// Bytes in the receive FIFO.
    pub fifo_depth: usize,
    /// Data bytes the request buffer holds.
    pub request_bytes: usize,
    /// Bytes of the answer buffer for computed answers (INFO sits above them).
    pub answer_bytes: usize,
    /// The INFO answer's data.
    pub info: Vec<u8>,
    /// The `$readmemh` file holding the answer buffer's initial contents (INFO at
    /// `answer_bytes`).
    pub answer_file: String,
    /// Bytes per input vector on the link.
    pub in_vec_bytes: usize,
    /// Bytes per output vector on the link.
    pub out_vec_bytes: usize,
    /// The most vectors per INFER.
    pub max_batch: usize,
}

/// The link's fixed-width part (see the module doc).
#[derive(LogicBlock)]
pub struct LinkCore {
    /// Clock.
    pub clock: Signal<In, Clock>,
    /// Asynchronous reset request, active high.
    pub rst_in: Signal<In, Bit>,
    /// UART from the host.
    pub uart_rx: Signal<In, Bit>,
    /// Clock cycles per UART bit.
    pub baud_div: Signal<In, Bits<16>>,
    /// UART to the host.
    pub uart_tx: Signal<Out, Bit>,
    /// Heartbeat LED.
    pub led_heartbeat: Signal<Out, Bit>,
    /// Busy LED.
    pub led_busy: Signal<Out, Bit>,
    /// Error LED.
    pub led_error: Signal<Out, Bit>,
    /// Synchronous reset for the I/O adapter and the dataflow.
    pub reset: Signal<Out, Bit>,
    /// The link has work: a byte being received or waiting, a request executing, an answer
    /// being sent. The virtual board stops clocking only after it has been low a while.
    pub active: Signal<Out, Bit>,
    /// I/O adapter mode.
    pub io_mode: Signal<Out, Bits<2>>,
    /// Memory for WRITE.
    pub io_mem: Signal<Out, Bits<8>>,
    /// First word address for WRITE.
    pub io_addr: Signal<Out, Bits<32>>,
    /// Start the I/O adapter.
    pub io_start: Signal<Out, Bit>,
    /// Byte to the adapter.
    pub io_in_data: Signal<Out, Bits<8>>,
    /// Byte valid.
    pub io_in_valid: Signal<Out, Bit>,
    /// The adapter takes the byte.
    pub io_in_ready: Signal<In, Bit>,
    /// Byte from the adapter.
    pub io_out_data: Signal<In, Bits<8>>,
    /// Byte valid.
    pub io_out_valid: Signal<In, Bit>,
    /// The core takes the byte.
    pub io_out_ready: Signal<Out, Bit>,
    /// The selected memory exists.
    pub mem_ok: Signal<In, Bit>,
    /// Its bytes per word.
    pub mem_wb: Signal<In, Bits<16>>,
    /// Its words.
    pub mem_depth: Signal<In, Bits<32>>,
    rst: ResetSync,
    rx: UartRx,
    fifo: ByteFifo,
    decoder: SlipDecoder,
    frame_rx: FrameRx,
    request: ByteRam,
    command: CommandEngine,
    status: StatusCounters,
    answer: ByteRam,
    frame_tx: FrameTx,
    encoder: SlipEncoder,
    tx: UartTx,
    leds: Leds,
}

impl LinkCore {
    /// The core for `p`.
    pub fn new(p: &CoreParams) -> Self {
        let mut init = vec![0; p.answer_bytes];
        init.extend_from_slice(&p.info);
        LinkCore {
            clock: Default::default(),
            rst_in: Default::default(),
            uart_rx: Default::default(),
            baud_div: Default::default(),
            uart_tx: Default::default(),
            led_heartbeat: Default::default(),
            led_busy: Default::default(),
            led_error: Default::default(),
            reset: Default::default(),
            active: Default::default(),
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
            rst: Default::default(),
            rx: Default::default(),
            fifo: ByteFifo::new(p.fifo_depth),
            decoder: Default::default(),
            frame_rx: FrameRx::new(p.request_bytes),
            request: ByteRam::new(p.request_bytes),
            command: CommandEngine::new(p.in_vec_bytes, p.out_vec_bytes, p.max_batch, p.answer_bytes, p.info.len()),
            status: Default::default(),
            answer: ByteRam::with_contents(init.len(), &init, Some(p.answer_file.clone())),
            frame_tx: Default::default(),
            encoder: Default::default(),
            tx: Default::default(),
            leds: Leds::new(p.clock_hz),
        }
    }

    /// The answer buffer's initial contents as a `$readmemh` file.
    pub fn answer_mem_file(&self) -> String {
        self.answer.mem_file()
    }
}

impl Logic for LinkCore {
    #[hdl_gen]
    fn update(&mut self) {
        clock!(
            self, clock, rst, rx, fifo, decoder, frame_rx, request, command, status, answer, frame_tx, encoder, tx,
            leds
        );
        // Reset.
        self.rst.rst_in.next = self.rst_in.val();
        self.reset.next = self.rst.reset.val();
        self.rx.reset.next = self.rst.reset.val();
        self.fifo.reset.next = self.rst.reset.val();
        self.decoder.reset.next = self.rst.reset.val();
        self.frame_rx.reset.next = self.rst.reset.val();
        self.command.reset.next = self.rst.reset.val();
        self.status.reset.next = self.rst.reset.val();
        self.frame_tx.reset.next = self.rst.reset.val();
        self.encoder.reset.next = self.rst.reset.val();
        self.tx.reset.next = self.rst.reset.val();
        self.leds.reset.next = self.rst.reset.val();
        // Receive: UART, FIFO, SLIP, frame checks into the request buffer.
        self.rx.divisor.next = self.baud_div.val();
        self.rx.rx.next = self.uart_rx.val();
        self.fifo.in_data.next = self.rx.data.val();
        self.fifo.in_valid.next = self.rx.valid.val();
        self.decoder.in_data.next = self.fifo.out_data.val();
        self.decoder.in_valid.next = self.fifo.out_valid.val();
        self.fifo.out_ready.next = self.decoder.in_ready.val();
        self.frame_rx.tok_data.next = self.decoder.out_data.val();
        self.frame_rx.tok_end.next = self.decoder.out_end.val();
        self.frame_rx.tok_bad.next = self.decoder.out_bad.val();
        self.frame_rx.tok_valid.next = self.decoder.out_valid.val();
        self.decoder.out_ready.next = self.frame_rx.tok_ready.val();
        self.request.write_addr.next = self.frame_rx.buf_addr.val();
        self.request.write_data.next = self.frame_rx.buf_data.val();
        self.request.write_enable.next = self.frame_rx.buf_we.val();
        // Command engine.
        self.command.f_valid.next = self.frame_rx.frame_valid.val();
        self.command.f_seq.next = self.frame_rx.seq.val();
        self.command.f_code.next = self.frame_rx.code.val();
        self.command.f_len.next = self.frame_rx.len.val();
        self.frame_rx.done.next = self.command.f_release.val();
        self.request.read_addr.next = self.command.q_addr.val();
        self.request.read_enable.next = self.command.q_en.val();
        self.command.q_data.next = self.request.read_data.val();
        self.answer.write_addr.next = self.command.a_addr.val();
        self.answer.write_data.next = self.command.a_data.val();
        self.answer.write_enable.next = self.command.a_we.val();
        self.status.index.next = self.command.s_index.val();
        self.status.read.next = self.command.s_read.val();
        self.status.hold.next = self.command.s_hold.val();
        self.command.s_value.next = self.status.value.val();
        self.command.s_idle.next = self.status.idle.val();
        self.io_mode.next = self.command.io_mode.val();
        self.io_mem.next = self.command.io_mem.val();
        self.io_addr.next = self.command.io_addr.val();
        self.io_start.next = self.command.io_start.val();
        self.io_in_data.next = self.command.io_in_data.val();
        self.io_in_valid.next = self.command.io_in_valid.val();
        self.command.io_in_ready.next = self.io_in_ready.val();
        self.command.io_out_data.next = self.io_out_data.val();
        self.command.io_out_valid.next = self.io_out_valid.val();
        self.io_out_ready.next = self.command.io_out_ready.val();
        self.command.mem_ok.next = self.mem_ok.val();
        self.command.mem_wb.next = self.mem_wb.val();
        self.command.mem_depth.next = self.mem_depth.val();
        // Counters.
        self.status.ev_ok.next = self.frame_rx.ev_ok.val();
        self.status.ev_crc.next = self.frame_rx.ev_crc.val();
        self.status.ev_framing.next = self.frame_rx.ev_framing.val();
        self.status.ev_overrun.next = self.frame_rx.ev_overrun.val();
        self.status.ev_overflow.next = self.fifo.overflow.val();
        self.status.ev_duplicate.next = self.command.ev_dup.val();
        self.status.ev_refused.next = self.command.ev_refused.val();
        self.status.ev_inference.next = self.command.ev_infer.val();
        self.status.ev_word.next = self.command.ev_word.val();
        // Transmit: answer buffer, frame, SLIP, UART.
        self.frame_tx.start.next = self.command.tx_start.val();
        self.frame_tx.seq.next = self.command.tx_seq.val();
        self.frame_tx.code.next = self.command.tx_code.val();
        self.frame_tx.len.next = self.command.tx_len.val();
        self.frame_tx.base.next = self.command.tx_base.val();
        self.command.tx_busy.next = self.frame_tx.busy.val();
        self.answer.read_addr.next = self.frame_tx.rd_addr.val();
        self.answer.read_enable.next = self.frame_tx.rd_en.val();
        self.frame_tx.rd_data.next = self.answer.read_data.val();
        self.encoder.in_data.next = self.frame_tx.tok_data.val();
        self.encoder.in_end.next = self.frame_tx.tok_end.val();
        self.encoder.in_valid.next = self.frame_tx.tok_valid.val();
        self.frame_tx.tok_ready.next = self.encoder.in_ready.val();
        self.tx.divisor.next = self.baud_div.val();
        self.tx.data.next = self.encoder.out_data.val();
        self.tx.valid.next = self.encoder.out_valid.val();
        self.encoder.out_ready.next = self.tx.ready.val();
        self.uart_tx.next = self.tx.tx.val();
        self.active.next = self.rx.busy.val()
            | self.fifo.out_valid.val()
            | self.frame_rx.frame_valid.val()
            | self.command.busy.val()
            | self.frame_tx.busy.val()
            | self.encoder.out_valid.val()
            | !self.tx.ready.val();
        // LEDs.
        self.leds.busy.next = self.command.busy.val() | self.frame_tx.busy.val();
        self.leds.activity.next = self.rx.valid.val();
        self.leds.error.next = self.frame_rx.ev_crc.val()
            | self.frame_rx.ev_framing.val()
            | self.frame_rx.ev_overrun.val()
            | self.fifo.overflow.val();
        self.led_heartbeat.next = self.leds.heartbeat.val();
        self.led_busy.next = self.leds.busy_led.val();
        self.led_error.next = self.leds.error_led.val();
    }
}
