//! bitloom's host driver: talks to a board running a bitloom design, or to the virtual board,
//! over the link protocol of `bitloom-protocol` (`docs/protocol.md`).
//!
//! [`Device`] is generic over any `Read + Write` transport; [`Device::open`] opens a serial
//! port. Every request is retried, with the same sequence number, when its answer does not
//! arrive in time or arrives corrupted; answers are matched by sequence number, so a late or
//! duplicated answer is never taken for another request's. Requests are pipelined (several
//! in flight) so the link stays busy during long batches.
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
use std::collections::VecDeque;
use std::io::{ErrorKind, Read, Write};
use std::time::{Duration, Instant};

/// How the driver waits and retries.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// How long to wait for an answer before sending the request again.
    pub timeout: Duration,
    /// How many times one request is sent again before giving up.
    pub retries: u32,
    /// Requests in flight at once (1 = stop and wait).
    pub window: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options { timeout: Duration::from_millis(500), retries: 8, window: 2 }
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
    #[error("no answer to {command:?} after {attempts} attempts ({timeout:?} each): is the board powered, programmed with a bitloom design, and at this baud rate?")]
    NoAnswer {
        /// The request.
        command: Command,
        /// Times it was sent.
        attempts: u32,
        /// Wait per attempt.
        timeout: Duration,
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
    /// Requests sent again after a timeout.
    pub retries: u64,
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

/// A board running a bitloom design, on transport `T`.
pub struct Device<T: Read + Write> {
    link: T,
    options: Options,
    decoder: slip::Decoder,
    /// Bytes read but not yet decoded (after a completed frame).
    pending: VecDeque<u8>,
    seq: u8,
    info: Info,
    stats: LinkStats,
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
        Device::connect(link, options)
    }
}

fn not_found(port: &str) -> Error {
    let available = serialport::available_ports().unwrap_or_default().into_iter().map(|p| p.port_name).collect();
    Error::PortNotFound { port: port.to_string(), available }
}

impl<T: Read + Write> Device<T> {
    /// Wraps a transport whose reads time out (return `TimedOut`, `WouldBlock` or 0 bytes)
    /// within a fraction of `options.timeout`, and asks the board for its INFO.
    pub fn connect(link: T, options: Options) -> Result<Self, Error> {
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
        let options = Options { window: options.window.max(1), ..options };
        let decoder = slip::Decoder::new(protocol::MAX_DATA + protocol::OVERHEAD);
        let mut dev =
            Device { link, options, decoder, pending: VecDeque::new(), seq: 0, info: placeholder, stats: LinkStats::default() };
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
        Status::parse(&data)
            .ok_or_else(|| Error::BadAnswer { command: Command::Status, reason: format!("{} bytes", data.len()) })
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
                (Command::Write, d)
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
            requests.push((Command::Read, d));
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
        let requests = inputs
            .chunks(batch)
            .map(|chunk| {
                let mut d = (chunk.len() as u16).to_le_bytes().to_vec();
                for x in chunk {
                    for &v in x {
                        d.extend_from_slice(&v.to_le_bytes()[..ib]);
                    }
                }
                (Command::Infer, d)
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

    /// One request, waiting for its answer.
    fn request(&mut self, command: Command, data: Vec<u8>) -> Result<Vec<u8>, Error> {
        Ok(self.pipeline(vec![(command, data)])?.remove(0))
    }

    /// Sends requests with up to `window` in flight; returns their answers in order.
    fn pipeline(&mut self, requests: Vec<(Command, Vec<u8>)>) -> Result<Vec<Vec<u8>>, Error> {
        struct Flight {
            index: usize,
            command: Command,
            frame: Vec<u8>,
            seq: u8,
            sent: Instant,
            attempts: u32,
        }
        let mut answers: Vec<Option<Vec<u8>>> = vec![None; requests.len()];
        let mut queue = requests.into_iter().enumerate();
        let mut flying: VecDeque<Flight> = VecDeque::new();
        let mut done = 0;
        while done < answers.len() {
            while flying.len() < self.options.window {
                let Some((index, (command, data))) = queue.next() else { break };
                self.seq = self.seq.wrapping_add(1);
                self.stats.payload_out += data.len() as u64;
                let frame = Packet { seq: self.seq, code: command as u8, data }.to_frame();
                self.send_raw(&frame)?;
                flying.push_back(Flight { index, command, frame, seq: self.seq, sent: Instant::now(), attempts: 1 });
            }
            // The oldest request decides when to give up or resend everything in flight (the
            // board answers in order, so a lost answer stalls every later one too).
            let oldest = flying.front().expect("a request is in flight");
            if oldest.sent.elapsed() >= self.options.timeout {
                if oldest.attempts > self.options.retries {
                    return Err(Error::NoAnswer {
                        command: oldest.command,
                        attempts: oldest.attempts,
                        timeout: self.options.timeout,
                    });
                }
                let frames: Vec<Vec<u8>> = flying.iter().map(|f| f.frame.clone()).collect();
                for (f, frame) in flying.iter_mut().zip(frames) {
                    self.send_raw(&frame)?;
                    f.sent = Instant::now();
                    f.attempts += 1;
                    self.stats.retries += 1;
                }
                continue;
            }
            let Some(packet) = self.receive()? else { continue };
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
            self.stats.payload_in += packet.data.len() as u64;
            answers[f.index] = Some(packet.data);
            flying.remove(pos);
            done += 1;
        }
        Ok(answers.into_iter().map(|a| a.expect("every request answered")).collect())
    }

    fn send_raw(&mut self, bytes: &[u8]) -> Result<(), Error> {
        self.link.write_all(bytes)?;
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
