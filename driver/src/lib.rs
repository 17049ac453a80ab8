//! bitloom's host driver: talks to a board running a bitloom design, or to the virtual board,
//! over the link protocol of `bitloom-protocol` (`docs/protocol.md`).
//!
//! [`Device`] is generic over any `Read + Write` transport; [`Device::open`] opens a serial
//! port. Every request is retried, with the same sequence number, when its answer does not
//! arrive in time or arrives corrupted; answers are matched by sequence number, so a late or
//! duplicated answer is never taken for another request's. Requests are pipelined (several
//! in flight) so the link stays busy during long batches.
//!
//! How long to wait follows the link as measured ([`rto`], RFC 6298): every answer to a request
//! sent once is a round-trip sample, less the wire time of the bytes ahead of it and of its
//! answer (nominal at the baud rate, times the slowdown the link has shown: a virtual board on a
//! loaded host runs several times slower than the line it simulates); the timeout of a request
//! is twice that wire time (the link may yet halve its speed) plus `SRTT + max(G, 4·RTTVAR)`,
//! doubled after each expiry up to [`Options::max_rto`]. The board
//! answers in order, so an answer to a later request means every earlier one still unanswered
//! was lost: those are sent again at once, without waiting for the timer. The window keeps the
//! bytes of the measured bandwidth-delay product in flight (at least two requests, at most
//! [`Options::window`]); `docs/protocol.md` explains why the board never overruns.
//!
//! ```no_run
//! use bitloom_driver::{Device, Options};
//! # fn main() -> Result<(), bitloom_driver::Error> {
//! let mut dev = Device::open("/dev/ttyUSB1", 3_000_000, Options::default())?;
//! println!("design {}", dev.info().hash_hex());
//! let outputs = dev.infer(&[vec![0; 784]])?; // one image of 784 pixels
//! println!("{:?} after {} retries", outputs[0], dev.stats().retries);
//! // New weights of the same shapes: one image per memory (bitloom computes them from a model).
//! # let images: Vec<bitloom_driver::MemoryImage> = Vec::new();
//! dev.load(&images)?;
//! println!("{:?}", dev.status()?);
//! # Ok(())
//! # }
//! ```
#![warn(missing_docs)]

use bitloom_protocol::{self as protocol, slip, Command, ErrorCode, Info, Packet, Status};
pub mod rto;

use rto::Rto;
use std::collections::VecDeque;
use std::io::{ErrorKind, Read, Write};
use std::time::{Duration, Instant};

/// How the driver waits and retries (see the crate doc for the timer).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Options {
    /// The timeout before any round trip has been measured, on top of the wire time of the
    /// request and its answer at the baud rate (RFC 6298's conservative 1 s).
    pub initial_rto: Duration,
    /// The least timeout, however quick the link has been (beyond the wire time).
    pub min_rto: Duration,
    /// The most a timeout grows to by back-off.
    pub max_rto: Duration,
    /// How many times one request is sent again before giving up.
    pub retries: u32,
    /// The most requests in flight at once (1 = stop and wait; at most [`MAX_WINDOW`]).
    pub window: usize,
}

impl Default for Options {
    /// 1 s initially, at least 200 ms (the floor TCP stacks use), back-off up to 5 s, 6 retries
    /// (about 27 s in all before giving up), up to 8 requests in flight.
    fn default() -> Self {
        Options {
            initial_rto: Duration::from_secs(1),
            min_rto: Duration::from_millis(200),
            max_rto: Duration::from_secs(5),
            retries: 6,
            window: 8,
        }
    }
}

/// What went wrong talking to a board.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The serial port does not exist.
    #[error("serial port {port} not found; ports present: {}", if available.is_empty() { "none".to_string() } else { available.join(", ") })]
    PortNotFound {
        /// The path asked for.
        port: String,
        /// Ports the system lists.
        available: Vec<String>,
    },
    /// Opening the port failed for another reason.
    #[error("cannot open serial port {port}: {message}")]
    Open {
        /// The path.
        port: String,
        /// The system's message.
        message: String,
    },
    /// Reading or writing the link failed.
    #[error("link I/O error")]
    Io(#[from] std::io::Error),
    /// No valid answer after every retry.
    #[error("no answer to {command:?} after {attempts} attempts over {:.1} s (the last wait {:.2} s): is the board powered, programmed with a bitloom design, and at this baud rate?", waited.as_secs_f64(), last_wait.as_secs_f64())]
    NoAnswer {
        /// The request.
        command: Command,
        /// Times it was sent.
        attempts: u32,
        /// From its first sending to giving up.
        waited: Duration,
        /// The last attempt's timeout.
        last_wait: Duration,
    },
    /// The board refused a request.
    #[error("the board refused {command:?}: {code}")]
    Refused {
        /// The request.
        command: Command,
        /// Why.
        code: ErrorCode,
    },
    /// An answer that passed its CRC but does not fit its request: a board/driver mismatch.
    #[error("malformed answer to {command:?}: {reason}")]
    BadAnswer {
        /// The request.
        command: Command,
        /// What is wrong.
        reason: String,
    },
    /// The board runs another design than the one expected.
    #[error("the board runs design {got}, but this build is design {expected}: program the board with this build's bitstream (or point at the build it runs)")]
    DesignMismatch {
        /// The build's hash.
        expected: String,
        /// The board's hash.
        got: String,
    },
    /// Inputs or words that do not fit the design.
    #[error("{0}")]
    Shape(String),
}

/// The words of one run-time memory, as the design lays them out (the build's `design.json`
/// describes each memory and how a model's values become its words; `bitloom` computes them).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemoryImage {
    /// The memory's id on the link.
    pub id: u8,
    /// What it holds, for messages (e.g. the layer's name).
    pub name: String,
    /// Bits per word.
    pub width: u16,
    /// Every word, `ceil(width/8)` little-endian bytes each, from address 0.
    pub words: Vec<Vec<u8>>,
}

/// Counters of the host side of the link.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LinkStats {
    /// Requests sent again (after a timeout, or because a later request was answered first).
    pub retries: u64,
    /// Of those, the ones the timer sent.
    pub timeouts: u64,
    /// Answers to requests sent once (round-trip samples).
    pub samples: u64,
    /// The longest round trip of those, from sending to the answer.
    pub max_rtt: Duration,
    /// Received frames dropped (bad CRC, framing, or an answer to no request in flight).
    pub dropped: u64,
    /// Bytes written to the link.
    pub wire_out: u64,
    /// Bytes read from the link.
    pub wire_in: u64,
    /// Data bytes of requests (without framing, header and CRC), counting each request once.
    pub payload_out: u64,
    /// Data bytes of answers taken.
    pub payload_in: u64,
}

/// One answered request, for diagnosing a link ([`Device::record_round_trips`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RoundTrip {
    /// The request.
    pub command: Command,
    /// Times it was sent.
    pub attempts: u32,
    /// From its last sending to its answer.
    pub rtt: Duration,
    /// The nominal wire time of the bytes ahead of it, itself and its answer (zero when the
    /// line rate is unknown).
    pub wire: Duration,
    /// Requests in flight when it was last sent, itself included.
    pub in_flight: usize,
}

/// Round trips whose nominal wire time is at least this long also measure how much slower than
/// nominal the link runs.
const SLOWDOWN_MIN_WIRE: Duration = Duration::from_millis(10);

/// The most requests in flight, whatever [`Options::window`] asks.
pub const MAX_WINDOW: usize = 64;

/// At most this many round trips are recorded.
const MAX_RECORDED: usize = 1 << 16;

/// A board running a bitloom design, on transport `T`.
pub struct Device<T: Read + Write> {
    link: T,
    options: Options,
    /// Bytes per second each way, when the baud rate is known.
    bytes_per_sec: Option<f64>,
    timer: Rto,
    /// The least round trip beyond its nominal wire time: with the line rate, the
    /// bandwidth-delay product.
    min_excess: Option<Duration>,
    /// How many times slower than the nominal wire time bytes cross (smoothed, at least 1;
    /// `None` before a sample): a virtual board on a loaded host, a bridge's buffering.
    slowdown: Option<f64>,
    /// The largest request (its frame and answer, in bytes) a round trip was measured with.
    largest: usize,
    decoder: slip::Decoder,
    /// Bytes read but not yet decoded (after a completed frame).
    pending: VecDeque<u8>,
    seq: u8,
    info: Info,
    stats: LinkStats,
    /// Round trips recorded when asked for (bounded by [`MAX_RECORDED`]).
    trips: Option<Vec<RoundTrip>>,
}

impl Device<Box<dyn serialport::SerialPort>> {
    /// Opens a serial port (8N1, no flow control) and asks the board for its INFO.
    pub fn open(port: &str, baud: u32, options: Options) -> Result<Self, Error> {
        let opened = serialport::new(port, baud).timeout(Duration::from_millis(20)).open();
        let link = opened.map_err(|e| match e.kind {
            serialport::ErrorKind::NoDevice => not_found(port),
            serialport::ErrorKind::Io(ErrorKind::NotFound) => not_found(port),
            _ if !std::path::Path::new(port).exists() => not_found(port),
            _ => Error::Open { port: port.to_string(), message: e.description },
        })?;
        Device::connect_at(link, Some(baud), options)
    }
}

fn not_found(port: &str) -> Error {
    let available = serialport::available_ports().unwrap_or_default().into_iter().map(|p| p.port_name).collect();
    Error::PortNotFound { port: port.to_string(), available }
}

impl<T: Read + Write> Device<T> {
    /// Wraps a transport whose reads time out (return `TimedOut`, `WouldBlock` or 0 bytes)
    /// within [`rto::GRANULARITY`], and asks the board for its INFO. The line rate is unknown:
    /// timeouts start at `options.initial_rto` and the window is `options.window`.
    pub fn connect(link: T, options: Options) -> Result<Self, Error> {
        Device::connect_at(link, None, options)
    }

    /// [`Device::connect`] on a line of `baud` bits per second (8N1: ten bits a byte), if known:
    /// then timeouts include each request's wire time and the window follows the
    /// bandwidth-delay product.
    pub fn connect_at(link: T, baud: Option<u32>, options: Options) -> Result<Self, Error> {
        let placeholder = Info {
            version: 0,
            hash: [0; protocol::HASH_BYTES],
            in_len: 0,
            in_bits: 0,
            in_signed: false,
            out_len: 0,
            out_bits: 0,
            out_signed: false,
            max_batch: 0,
            memories: Vec::new(),
        };
        // Far fewer requests in flight than sequence numbers, so no late answer is ever taken
        // for a newer request's.
        let options = Options { window: options.window.clamp(1, MAX_WINDOW), ..options };
        let decoder = slip::Decoder::new(protocol::MAX_DATA + protocol::OVERHEAD);
        let mut dev = Device {
            link,
            options,
            bytes_per_sec: baud.filter(|&b| b > 0).map(|b| f64::from(b) / 10.0),
            timer: Rto::new(options.initial_rto, options.min_rto, options.max_rto),
            min_excess: None,
            slowdown: None,
            largest: 0,
            decoder,
            pending: VecDeque::new(),
            seq: 0,
            info: placeholder,
            stats: LinkStats::default(),
            trips: None,
        };
        // A leading END flushes any partial frame the board holds from line noise.
        dev.send_raw(&[slip::END])?;
        let data = dev.request(Command::Info, Vec::new())?;
        dev.info = Info::parse(&data)
            .ok_or_else(|| Error::BadAnswer { command: Command::Info, reason: format!("{} bytes", data.len()) })?;
        if dev.info.version != protocol::VERSION {
            return Err(Error::BadAnswer {
                command: Command::Info,
                reason: format!("protocol version {}, this driver speaks {}", dev.info.version, protocol::VERSION),
            });
        }
        Ok(dev)
    }

    /// The board's INFO, read when connecting.
    pub fn info(&self) -> &Info {
        &self.info
    }

    /// The host side's link counters.
    pub fn stats(&self) -> LinkStats {
        self.stats
    }

    /// Starts recording every answered request's round trip (the first 65 536).
    pub fn record_round_trips(&mut self) {
        self.trips.get_or_insert_with(Vec::new);
    }

    /// The round trips recorded so far.
    pub fn round_trips(&self) -> &[RoundTrip] {
        self.trips.as_deref().unwrap_or(&[])
    }

    /// The retransmission timer's state (its samples exclude the nominal wire time).
    pub fn timer(&self) -> Rto {
        self.timer
    }

    /// The transport, e.g. to close it.
    pub fn into_inner(self) -> T {
        self.link
    }

    /// Refuses to go on unless the board runs the design with this hash.
    pub fn require_design(&self, hash: &[u8; protocol::HASH_BYTES]) -> Result<(), Error> {
        if &self.info.hash == hash {
            Ok(())
        } else {
            Err(Error::DesignMismatch { expected: hex(hash), got: self.info.hash_hex() })
        }
    }

    /// The board's counters.
    pub fn status(&mut self) -> Result<Status, Error> {
        let data = self.request(Command::Status, Vec::new())?;
        Status::parse(&data).ok_or_else(|| Error::BadAnswer { command: Command::Status, reason: format!("{} bytes", data.len()) })
    }

    /// Writes `words` (each `ceil(width/8)` little-endian bytes) into memory `mem` from word
    /// `offset` on, in as many requests as the frame size needs.
    pub fn write_memory(&mut self, mem: u8, offset: u32, words: &[Vec<u8>]) -> Result<(), Error> {
        let info = self.memory(mem)?;
        let wb = info.word_bytes();
        if let Some(w) = words.iter().find(|w| w.len() != wb) {
            return Err(Error::Shape(format!("memory {mem} words are {wb} bytes, got one of {}", w.len())));
        }
        if u64::from(offset) + words.len() as u64 > u64::from(info.depth) {
            return Err(Error::Shape(format!(
                "{} words from offset {offset} run past memory {mem}'s {} words",
                words.len(),
                info.depth
            )));
        }
        let per = ((self.max_request() - 5) / wb).max(1);
        let requests = words
            .chunks(per)
            .enumerate()
            .map(|(i, chunk)| {
                let mut d = vec![mem];
                d.extend_from_slice(&(offset + (i * per) as u32).to_le_bytes());
                chunk.iter().for_each(|w| d.extend_from_slice(w));
                Request { command: Command::Write, data: d, answer: 0 }
            })
            .collect();
        self.pipeline(requests).map(|_| ())
    }

    /// The most data bytes one request may carry: a full INFER batch,
    /// `2 + max_batch · input vector bytes`, at most [`protocol::MAX_DATA`]
    /// (`docs/protocol.md`: the board's request buffer holds exactly that).
    pub fn max_request(&self) -> usize {
        let vector = self.info.in_len as usize * self.info.in_bytes();
        (2 + usize::from(self.info.max_batch) * vector).min(protocol::MAX_DATA)
    }

    /// Writes every run-time memory of the board: `images` must cover each memory INFO lists,
    /// with its width and all of its words, so the board computes the model they came from.
    /// Nothing is written unless all of them fit.
    pub fn load(&mut self, images: &[MemoryImage]) -> Result<(), Error> {
        for m in &self.info.memories {
            let Some(img) = images.iter().find(|i| i.id == m.id) else {
                return Err(Error::Shape(format!("no words for the board's memory {} ({} × {} bits)", m.id, m.depth, m.width)));
            };
            if img.width != m.width || img.words.len() as u64 != u64::from(m.depth) {
                return Err(Error::Shape(format!(
                    "memory {} ({}) is {} words of {} bits on the board, but {} words of {} bits were given: the model's shapes or folding differ from the build's",
                    m.id,
                    img.name,
                    m.depth,
                    m.width,
                    img.words.len(),
                    img.width
                )));
            }
        }
        if let Some(extra) = images.iter().find(|i| !self.info.memories.iter().any(|m| m.id == i.id)) {
            return Err(Error::Shape(format!("the board has no memory {} ({})", extra.id, extra.name)));
        }
        for img in images {
            self.write_memory(img.id, 0, &img.words)?;
        }
        Ok(())
    }

    /// Reads `count` words of memory `mem` from word `offset` on (boards built by bitloom refuse
    /// READ: their memories' single read port belongs to the engines).
    pub fn read_memory(&mut self, mem: u8, offset: u32, count: u32) -> Result<Vec<Vec<u8>>, Error> {
        let info = self.memory(mem)?;
        let wb = info.word_bytes();
        if u64::from(offset) + u64::from(count) > u64::from(info.depth) {
            return Err(Error::Shape(format!("{count} words from offset {offset} run past memory {mem}")));
        }
        let per = (protocol::MAX_DATA / wb).clamp(1, usize::from(u16::MAX)) as u32;
        let mut requests = Vec::new();
        let mut at = 0;
        while at < count {
            let n = per.min(count - at);
            let mut d = vec![mem];
            d.extend_from_slice(&(offset + at).to_le_bytes());
            d.extend_from_slice(&(n as u16).to_le_bytes());
            requests.push(Request { command: Command::Read, data: d, answer: n as usize * wb });
            at += n;
        }
        let mut words = Vec::with_capacity(count as usize);
        for data in self.pipeline(requests)? {
            if data.len() % wb != 0 {
                return Err(Error::BadAnswer { command: Command::Read, reason: format!("{} bytes", data.len()) });
            }
            words.extend(data.chunks(wb).map(<[u8]>::to_vec));
        }
        Ok(words)
    }

    /// Runs input vectors through the network; returns one output vector per input.
    pub fn infer(&mut self, inputs: &[Vec<i64>]) -> Result<Vec<Vec<i64>>, Error> {
        let info = self.info.clone();
        let (in_len, ib, ob) = (info.in_len as usize, info.in_bytes(), info.out_bytes());
        let (in_min, in_max) = range(info.in_bits, info.in_signed);
        for (n, x) in inputs.iter().enumerate() {
            if x.len() != in_len {
                return Err(Error::Shape(format!("input {n} has {} elements, the design takes {in_len}", x.len())));
            }
            if let Some(v) = x.iter().find(|v| !(in_min..=in_max).contains(*v)) {
                return Err(Error::Shape(format!("input {n} holds {v}, outside the design's input range {in_min}..={in_max}")));
            }
        }
        let fit_in = (self.max_request() - 2) / (in_len * ib).max(1);
        let fit_out = protocol::MAX_DATA / (info.out_len as usize * ob).max(1);
        let batch = fit_in.min(fit_out).min(usize::from(info.max_batch)).max(1);
        let out_vec = info.out_len as usize * ob;
        let requests = inputs
            .chunks(batch)
            .map(|chunk| {
                let mut d = (chunk.len() as u16).to_le_bytes().to_vec();
                for x in chunk {
                    for &v in x {
                        d.extend_from_slice(&v.to_le_bytes()[..ib]);
                    }
                }
                Request { command: Command::Infer, data: d, answer: chunk.len() * out_vec }
            })
            .collect();
        let answers = self.pipeline(requests)?;
        let vec_bytes = info.out_len as usize * ob;
        let mut outputs = Vec::with_capacity(inputs.len());
        for (chunk, data) in inputs.chunks(batch).zip(answers) {
            if data.len() != chunk.len() * vec_bytes {
                let reason = format!("{} bytes for {} vectors of {vec_bytes}", data.len(), chunk.len());
                return Err(Error::BadAnswer { command: Command::Infer, reason });
            }
            outputs.extend(data.chunks(vec_bytes).map(|v| v.chunks(ob).map(|e| decode(e, info.out_signed)).collect()));
        }
        Ok(outputs)
    }

    fn memory(&self, mem: u8) -> Result<protocol::MemoryInfo, Error> {
        self.info.memories.iter().find(|m| m.id == mem).cloned().ok_or_else(|| {
            let ids: Vec<String> = self.info.memories.iter().map(|m| m.id.to_string()).collect();
            Error::Shape(format!("the design has no memory {mem} (memories: {})", ids.join(", ")))
        })
    }

    /// One request, waiting for its answer of at most `answer` data bytes.
    fn request(&mut self, command: Command, data: Vec<u8>) -> Result<Vec<u8>, Error> {
        let answer = match command {
            Command::Status => 4 * 8, // eight u32 counters
            _ => protocol::MAX_DATA,
        };
        Ok(self.pipeline(vec![Request { command, data, answer }])?.remove(0))
    }

    /// Nominal time on the wire of `bytes` at the line rate (zero when it is unknown).
    fn nominal(&self, bytes: usize) -> Duration {
        self.bytes_per_sec.map_or(Duration::ZERO, |r| Duration::from_secs_f64(bytes as f64 / r))
    }

    /// Time on the wire of `bytes` as observed: nominal times the measured slowdown.
    fn wire(&self, bytes: usize) -> Duration {
        self.nominal(bytes).mul_f64(self.slowdown.unwrap_or(1.0))
    }

    /// How many times slower than their nominal wire time bytes have been crossing the link
    /// (smoothed; 1 until measured, or when the baud rate is unknown).
    pub fn slowdown(&self) -> f64 {
        self.slowdown.unwrap_or(1.0)
    }

    /// Whether one more request of `frame` bytes may join `in_flight` bytes in `count` requests:
    /// at least two in flight (so the line carries the next request while the board answers
    /// one), then as many as the bandwidth-delay product needs, up to `options.window`.
    fn window_open(&self, count: usize, in_flight: usize, frame: usize) -> bool {
        if count >= self.options.window {
            return false;
        }
        if count < 2 {
            return true;
        }
        match (self.bytes_per_sec, self.min_excess) {
            (Some(rate), Some(delay)) => (in_flight as f64) < rate * delay.as_secs_f64() + frame as f64,
            _ => true,
        }
    }

    /// Sends requests with up to a window in flight; returns their answers in order.
    fn pipeline(&mut self, requests: Vec<Request>) -> Result<Vec<Vec<u8>>, Error> {
        struct Flight {
            index: usize,
            command: Command,
            frame: Vec<u8>,
            seq: u8,
            /// Expected answer bytes on the wire (at most).
            answer_wire: usize,
            first_sent: Instant,
            sent: Instant,
            /// Order of the last sending among all sendings of this pipeline.
            ordinal: u64,
            /// Wire bytes of every request unanswered when it was last sent, itself included.
            ahead: usize,
            /// How many requests those were.
            count: usize,
            attempts: u32,
        }
        let mut answers: Vec<Option<Vec<u8>>> = vec![None; requests.len()];
        let mut queue = requests.into_iter().enumerate().peekable();
        let mut flying: VecDeque<Flight> = VecDeque::new();
        let (mut done, mut ordinal, mut in_flight) = (0, 0u64, 0usize);
        // When the oldest request was last answered: its successor's timer restarts then (RFC 6298 §5.3).
        let mut progress: Option<Instant> = None;
        while done < answers.len() {
            while let Some((_, r)) = queue.peek() {
                // The frame's size before escapes (which are rare) decides.
                if !self.window_open(flying.len(), in_flight, r.data.len() + protocol::OVERHEAD + 2) {
                    break;
                }
                let Some((index, r)) = queue.next() else {
                    break;
                };
                self.seq = self.seq.wrapping_add(1);
                self.stats.payload_out += r.data.len() as u64;
                let frame = Packet { seq: self.seq, code: r.command as u8, data: r.data }.to_frame();
                self.send_raw(&frame)?;
                in_flight += frame.len();
                ordinal += 1;
                let now = Instant::now();
                flying.push_back(Flight {
                    index,
                    command: r.command,
                    seq: self.seq,
                    answer_wire: r.answer + r.answer / 8 + protocol::OVERHEAD + 2,
                    first_sent: now,
                    sent: now,
                    ordinal,
                    ahead: in_flight,
                    count: flying.len() + 1,
                    attempts: 1,
                    frame,
                });
            }
            let head = flying.front().expect("a request is in flight");
            // A request far larger than any measured yet may meet a slowdown they did not show:
            // it gets the initial timeout at least, as the first request did.
            let rto = if head.frame.len() + head.answer_wire > 2 * self.largest {
                self.timer.rto().max(self.options.initial_rto)
            } else {
                self.timer.rto()
            };
            // The link may run at half the speed it has shown (a loaded host's share of the CPU
            // halves when another job starts) before the timer gives up on a request.
            let by_sending = head.sent + 2 * self.wire(head.ahead + head.answer_wire);
            let by_progress = progress.map(|t| t + 2 * self.wire(head.frame.len() + head.answer_wire));
            let deadline = by_progress.map_or(by_sending, |p| p.max(by_sending)) + rto;
            let now = Instant::now();
            if now >= deadline {
                if head.attempts > self.options.retries {
                    return Err(Error::NoAnswer {
                        command: head.command,
                        attempts: head.attempts,
                        waited: now - head.first_sent,
                        last_wait: deadline - head.sent,
                    });
                }
                self.timer.back_off();
                self.stats.timeouts += 1;
                let frame = head.frame.clone();
                self.send_raw(&frame)?;
                ordinal += 1;
                let count = flying.len();
                let head = flying.front_mut().expect("a request is in flight");
                (head.sent, head.ordinal, head.ahead, head.attempts) = (now, ordinal, in_flight, head.attempts + 1);
                head.count = count;
                self.stats.retries += 1;
                progress = None;
                continue;
            }
            let Some(packet) = self.receive()? else {
                continue;
            };
            let Some(pos) = flying.iter().position(|f| f.seq == packet.seq) else {
                self.stats.dropped += 1; // an answer to a request already answered
                continue;
            };
            let f = &flying[pos];
            if packet.code == protocol::ERROR_CODE {
                let code = packet.data.first().and_then(|&c| ErrorCode::from_code(c));
                return Err(match code {
                    Some(code) => Error::Refused { command: f.command, code },
                    None => Error::BadAnswer { command: f.command, reason: format!("error answer {:?}", packet.data) },
                });
            }
            if packet.code != protocol::RESPONSE_BIT | f.command as u8 {
                let reason = format!("answer code {:#04x}", packet.code);
                return Err(Error::BadAnswer { command: f.command, reason });
            }
            let now = Instant::now();
            let bytes = f.ahead + packet.data.len() + protocol::OVERHEAD + 2;
            let (rtt, wire) = (now - f.sent, self.wire(bytes));
            let nominal = self.nominal(bytes);
            if let Some(t) = self.trips.as_mut().filter(|t| t.len() < MAX_RECORDED) {
                t.push(RoundTrip { command: f.command, attempts: f.attempts, rtt, wire: nominal, in_flight: f.count });
            }
            // Karn's rule: only a request sent once tells how long a round trip takes.
            if f.attempts == 1 {
                let excess = rtt.saturating_sub(wire);
                self.timer.sample(excess);
                // The delay beyond the nominal wire time (latency, a slow simulation) is what a
                // window must cover at the line rate.
                let delay = rtt.saturating_sub(nominal);
                self.min_excess = Some(self.min_excess.map_or(delay, |m| m.min(delay)));
                // Long enough on the wire that latency does not swamp it: a slowdown sample.
                if nominal >= SLOWDOWN_MIN_WIRE {
                    let x = (rtt.as_secs_f64() / nominal.as_secs_f64()).max(1.0);
                    // Up at once, down slowly: a loaded host slows the link in steps.
                    self.slowdown = Some(self.slowdown.map_or(x, |s| x.max(s * 7.0 / 8.0 + x / 8.0)));
                }
                self.stats.samples += 1;
                self.largest = self.largest.max(f.frame.len() + packet.data.len() + protocol::OVERHEAD + 2);
                self.stats.max_rtt = self.stats.max_rtt.max(rtt);
            }
            self.stats.payload_in += packet.data.len() as u64;
            let answered = f.ordinal;
            answers[f.index] = Some(packet.data);
            in_flight -= f.frame.len();
            flying.remove(pos);
            done += 1;
            if pos == 0 {
                progress = Some(now);
            }
            // The board answers in order: a request sent before this one and still unanswered
            // was lost (or its answer was), so it goes again now.
            let lost: Vec<usize> =
                (0..pos).filter(|&i| flying[i].ordinal < answered && flying[i].attempts <= self.options.retries).collect();
            let count = flying.len();
            for i in lost {
                let frame = flying[i].frame.clone();
                self.send_raw(&frame)?;
                ordinal += 1;
                let f = &mut flying[i];
                (f.sent, f.ordinal, f.ahead, f.attempts) = (Instant::now(), ordinal, in_flight, f.attempts + 1);
                f.count = count;
                self.stats.retries += 1;
            }
        }
        Ok(answers.into_iter().map(|a| a.expect("every request answered")).collect())
    }

    fn send_raw(&mut self, bytes: &[u8]) -> Result<(), Error> {
        // A serial port's write times out while the line drains a full output buffer: wait on,
        // but not for ever.
        let (mut at, mut since) = (0, Instant::now());
        while at < bytes.len() {
            match self.link.write(&bytes[at..]) {
                Ok(0) => return Err(std::io::Error::from(ErrorKind::WriteZero).into()),
                Ok(n) => (at, since) = (at + n, Instant::now()),
                Err(e) if matches!(e.kind(), ErrorKind::TimedOut | ErrorKind::WouldBlock | ErrorKind::Interrupted) => {
                    if since.elapsed() > self.options.max_rto.max(Duration::from_secs(1)) {
                        return Err(e.into());
                    }
                }
                Err(e) => return Err(e.into()),
            }
        }
        self.link.flush()?;
        self.stats.wire_out += bytes.len() as u64;
        Ok(())
    }

    /// Reads what the link has (up to one transport timeout) and returns the next intact
    /// packet, if one completed.
    fn receive(&mut self) -> Result<Option<Packet>, Error> {
        let mut buf = [0u8; 256];
        let n = match self.link.read(&mut buf) {
            Ok(n) => n,
            Err(e) if matches!(e.kind(), ErrorKind::TimedOut | ErrorKind::WouldBlock | ErrorKind::Interrupted) => 0,
            Err(e) => return Err(e.into()),
        };
        self.stats.wire_in += n as u64;
        // Bytes after a completed frame stay in `pending` for the next call.
        self.pending.extend(&buf[..n]);
        while let Some(b) = self.pending.pop_front() {
            match self.decoder.push(b) {
                slip::Event::Pending => {}
                slip::Event::Frame(bytes) => match Packet::parse(&bytes) {
                    Ok(p) => return Ok(Some(p)),
                    Err(_) => self.stats.dropped += 1,
                },
                slip::Event::Overrun | slip::Event::BadEscape => self.stats.dropped += 1,
            }
        }
        Ok(None)
    }
}

/// A request to send: its command, data and the most answer data it can bring.
struct Request {
    command: Command,
    data: Vec<u8>,
    answer: usize,
}

/// The range of a `bits`-bit element.
fn range(bits: u8, signed: bool) -> (i64, i64) {
    let bits = u32::from(bits.clamp(1, 63));
    if signed {
        (-(1i64 << (bits - 1)), (1i64 << (bits - 1)) - 1)
    } else {
        (0, (1i64 << bits) - 1)
    }
}

/// A little-endian element, sign-extended when signed.
fn decode(bytes: &[u8], signed: bool) -> i64 {
    let mut v = 0u64;
    for (i, &b) in bytes.iter().enumerate() {
        v |= u64::from(b) << (8 * i);
    }
    let bits = 8 * bytes.len() as u32;
    if signed && bits < 64 && v >> (bits - 1) & 1 == 1 {
        (v | !((1u64 << bits) - 1)) as i64
    } else {
        v as i64
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
