//! The host ⇄ board link protocol: one definition for the driver (`bitloom-driver`) and the
//! hardware generator (`bitloom-hdl`), specified in `docs/protocol.md`.
//!
//! A frame on the wire is SLIP-framed ([`slip`]): the bytes of a packet with `END` (0xC0) and
//! `ESC` (0xDB) escaped, then `END`. A packet is
//!
//! ```text
//! seq:u8  code:u8  len:u16le  data[len]  crc:u32le
//! ```
//!
//! with `crc` = CRC-32 (IEEE 802.3, [`crc32`]) over `seq ..= data`: a corrupted frame slips
//! through with probability 2⁻³², where CRC-16's 2⁻¹⁶ would allow about one wrong answer per
//! million corrupted frames. Requests carry a
//! [`Command`] code; the board answers with the same `seq` and the code `0x80 | command` on
//! success or [`ERROR_CODE`] with one [`ErrorCode`] byte. A packet that is too short, too
//! long, or fails its CRC is dropped and counted, never answered, so the host's timeout and
//! retry handle every corruption the same way. A request whose `seq` equals the previous
//! one's is a retry: the board sends its stored answer again without executing twice.
//!
//! All multi-byte fields are little-endian. SLIP (not COBS) because both directions stream
//! through hardware byte by byte with no look-ahead buffer.
#![warn(missing_docs)]

pub mod slip;

/// Protocol version, reported by INFO.
pub const VERSION: u8 = 1;

/// The most data bytes in one packet (the board's frame buffer holds header + data + CRC).
pub const MAX_DATA: usize = 4096;

/// Bytes around the data: seq, code, len (2), crc (4).
pub const OVERHEAD: usize = 8;

/// The response code for a refused request; its data is one [`ErrorCode`] byte.
pub const ERROR_CODE: u8 = 0xFF;

/// Bit set in a response's code.
pub const RESPONSE_BIT: u8 = 0x80;

/// Bytes of the design hash (SHA-256).
pub const HASH_BYTES: usize = 32;

/// What a request asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Command {
    /// Design hash, version and shapes. Request data: none. Response: [`Info`].
    Info = 0x01,
    /// Write words into a run-time memory. Request: `mem:u8 offset:u32 words…` where each word
    /// is `ceil(width/8)` bytes. Response: none.
    Write = 0x02,
    /// Run inputs through the network. Request: `count:u16` then `count` input vectors, each
    /// element in `ceil(in_bits/8)` bytes. Response: the `count` output vectors, each element
    /// in `ceil(out_bits/8)` bytes (two's complement when signed).
    Infer = 0x03,
    /// Link and engine counters. Request: none. Response: [`Status`].
    Status = 0x04,
    /// Read words back from a run-time memory. Request: `mem:u8 offset:u32 count:u16`.
    /// Response: the words.
    Read = 0x05,
}

impl Command {
    /// The command with this code.
    pub fn from_code(code: u8) -> Option<Command> {
        Some(match code {
            0x01 => Command::Info,
            0x02 => Command::Write,
            0x03 => Command::Infer,
            0x04 => Command::Status,
            0x05 => Command::Read,
            _ => return None,
        })
    }
}

/// Why the board refused a well-formed request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[repr(u8)]
pub enum ErrorCode {
    /// The command code is unknown.
    #[error("the board does not know this command")]
    UnknownCommand = 1,
    /// The data length does not fit the command.
    #[error("the request's length does not fit the command")]
    BadLength = 2,
    /// No memory has this id.
    #[error("no memory has this id")]
    BadMemory = 3,
    /// The words run past the end of the memory.
    #[error("the words run past the end of the memory")]
    OutOfRange = 4,
    /// The batch does not fit the board's buffers.
    #[error("the batch is larger than the board accepts")]
    BatchTooLarge = 5,
}

impl ErrorCode {
    /// The error with this code.
    pub fn from_code(code: u8) -> Option<ErrorCode> {
        Some(match code {
            1 => ErrorCode::UnknownCommand,
            2 => ErrorCode::BadLength,
            3 => ErrorCode::BadMemory,
            4 => ErrorCode::OutOfRange,
            5 => ErrorCode::BatchTooLarge,
            _ => return None,
        })
    }
}

/// CRC-32 as in IEEE 802.3, zlib and PNG: reflected polynomial 0xEDB88320, initial value and
/// final XOR 0xFFFFFFFF (check value 0xCBF43926 for `"123456789"`).
pub fn crc32(data: &[u8]) -> u32 {
    !data.iter().fold(!0, |crc, &b| crc32_byte(crc, b))
}

/// One byte of [`crc32`] on the raw register (before the final XOR), bit by bit as the hardware
/// unrolls it.
pub fn crc32_byte(mut crc: u32, byte: u8) -> u32 {
    crc ^= u32::from(byte);
    for _ in 0..8 {
        crc = if crc & 1 != 0 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
    }
    crc
}

/// One packet, before framing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Packet {
    /// Sequence number; a response repeats its request's.
    pub seq: u8,
    /// A [`Command`] code, `0x80 | command` for a response, or [`ERROR_CODE`].
    pub code: u8,
    /// At most [`MAX_DATA`] bytes.
    pub data: Vec<u8>,
}

/// Why a received packet was dropped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PacketError {
    /// Fewer bytes than the header and CRC need.
    #[error("packet of {0} bytes is shorter than the {OVERHEAD}-byte header and CRC")]
    Short(usize),
    /// More data than [`MAX_DATA`].
    #[error("packet declares {0} data bytes, more than the {MAX_DATA} allowed")]
    TooLong(usize),
    /// The length field disagrees with the bytes received.
    #[error("packet declares {declared} data bytes but carries {got}")]
    Length {
        /// The length field.
        declared: usize,
        /// Data bytes present.
        got: usize,
    },
    /// The CRC does not match.
    #[error("CRC mismatch: computed {computed:#010x}, received {received:#010x}")]
    Crc {
        /// Over the bytes received.
        computed: u32,
        /// The packet's field.
        received: u32,
    },
}

impl Packet {
    /// The packet's bytes (header, data, CRC), before SLIP framing. Panics if `data` is longer
    /// than [`MAX_DATA`] (callers split batches to fit).
    pub fn to_bytes(&self) -> Vec<u8> {
        assert!(self.data.len() <= MAX_DATA, "packet data of {} bytes exceeds {MAX_DATA}", self.data.len());
        let mut b = Vec::with_capacity(self.data.len() + OVERHEAD);
        b.push(self.seq);
        b.push(self.code);
        b.extend_from_slice(&(self.data.len() as u16).to_le_bytes());
        b.extend_from_slice(&self.data);
        let crc = crc32(&b);
        b.extend_from_slice(&crc.to_le_bytes());
        b
    }

    /// The packet framed for the wire: SLIP-encoded and terminated.
    pub fn to_frame(&self) -> Vec<u8> {
        let mut out = Vec::new();
        slip::encode(&self.to_bytes(), &mut out);
        out
    }

    /// Parses and checks a packet's bytes (one SLIP frame's content).
    pub fn parse(bytes: &[u8]) -> Result<Packet, PacketError> {
        if bytes.len() < OVERHEAD {
            return Err(PacketError::Short(bytes.len()));
        }
        let declared = usize::from(u16::from_le_bytes([bytes[2], bytes[3]]));
        if declared > MAX_DATA {
            return Err(PacketError::TooLong(declared));
        }
        let got = bytes.len() - OVERHEAD;
        if declared != got {
            return Err(PacketError::Length { declared, got });
        }
        let (body, tail) = bytes.split_at(bytes.len() - 4);
        let received = u32::from_le_bytes([tail[0], tail[1], tail[2], tail[3]]);
        let computed = crc32(body);
        if computed != received {
            return Err(PacketError::Crc { computed, received });
        }
        Ok(Packet { seq: bytes[0], code: bytes[1], data: body[4..].to_vec() })
    }
}

/// A run-time memory of the design: weights or thresholds of one engine.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemoryInfo {
    /// Id used by WRITE and READ.
    pub id: u8,
    /// Bits per word.
    pub width: u16,
    /// Words.
    pub depth: u32,
}

impl MemoryInfo {
    /// Bytes per word on the wire.
    pub fn word_bytes(&self) -> usize {
        usize::from(self.width).div_ceil(8)
    }
}

/// The INFO response: `version:u8 hash[32] in_len:u32 in_bits:u8 in_signed:u8 out_len:u32
/// out_bits:u8 out_signed:u8 max_batch:u16 mem_count:u8` then per memory `id:u8 width:u16 depth:u32`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Info {
    /// Protocol version.
    pub version: u8,
    /// SHA-256 of the design (its Verilog and memory images as built).
    pub hash: [u8; HASH_BYTES],
    /// Elements per input vector.
    pub in_len: u32,
    /// Bits per input element.
    pub in_bits: u8,
    /// Whether input elements are signed.
    pub in_signed: bool,
    /// Elements per output vector.
    pub out_len: u32,
    /// Bits per output element.
    pub out_bits: u8,
    /// Whether output elements are signed.
    pub out_signed: bool,
    /// The most vectors one INFER request may carry. It also bounds every request: the board's
    /// request buffer holds one full INFER request, so a request carries at most
    /// `2 + max_batch · in_len · in_bytes()` data bytes (and at most [`MAX_DATA`]).
    pub max_batch: u16,
    /// The run-time memories.
    pub memories: Vec<MemoryInfo>,
}

impl Info {
    /// The response data.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut b = vec![self.version];
        b.extend_from_slice(&self.hash);
        b.extend_from_slice(&self.in_len.to_le_bytes());
        b.extend_from_slice(&[self.in_bits, u8::from(self.in_signed)]);
        b.extend_from_slice(&self.out_len.to_le_bytes());
        b.extend_from_slice(&[self.out_bits, u8::from(self.out_signed)]);
        b.extend_from_slice(&self.max_batch.to_le_bytes());
        b.push(self.memories.len() as u8);
        for m in &self.memories {
            b.push(m.id);
            b.extend_from_slice(&m.width.to_le_bytes());
            b.extend_from_slice(&m.depth.to_le_bytes());
        }
        b
    }

    /// Parses the response data; `None` if it is malformed.
    pub fn parse(b: &[u8]) -> Option<Info> {
        let mut r = Reader(b);
        let version = r.u8()?;
        let hash = r.take(HASH_BYTES)?.try_into().ok()?;
        let (in_len, in_bits, in_signed) = (r.u32()?, r.u8()?, r.u8()? != 0);
        let (out_len, out_bits, out_signed) = (r.u32()?, r.u8()?, r.u8()? != 0);
        let max_batch = r.u16()?;
        let n = r.u8()?;
        let memories = (0..n)
            .map(|_| Some(MemoryInfo { id: r.u8()?, width: r.u16()?, depth: r.u32()? }))
            .collect::<Option<Vec<_>>>()?;
        r.0.is_empty().then_some(Info {
            version,
            hash,
            in_len,
            in_bits,
            in_signed,
            out_len,
            out_bits,
            out_signed,
            max_batch,
            memories,
        })
    }

    /// The design hash as lowercase hex.
    pub fn hash_hex(&self) -> String {
        self.hash.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Bytes per input element on the wire.
    pub fn in_bytes(&self) -> usize {
        usize::from(self.in_bits).div_ceil(8)
    }

    /// Bytes per output element on the wire.
    pub fn out_bytes(&self) -> usize {
        usize::from(self.out_bits).div_ceil(8)
    }
}

/// The STATUS response: eight `u32` counters, in this order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Status {
    /// Packets received intact.
    pub frames_ok: u32,
    /// Packets dropped for a CRC mismatch.
    pub crc_errors: u32,
    /// Packets dropped as too short, too long or with a wrong length field.
    pub framing_errors: u32,
    /// Bytes lost because a frame overflowed the buffer.
    pub overruns: u32,
    /// Retried requests answered from the stored response.
    pub duplicates: u32,
    /// Requests refused with an error code.
    pub refused: u32,
    /// Vectors run through the network.
    pub inferences: u32,
    /// Words written into memories.
    pub words_written: u32,
}

impl Status {
    /// The response data.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.counters().iter().flat_map(|c| c.to_le_bytes()).collect()
    }

    /// Parses the response data; `None` if it is not 32 bytes.
    pub fn parse(b: &[u8]) -> Option<Status> {
        let mut r = Reader(b);
        let mut c = [0u32; 8];
        for v in &mut c {
            *v = r.u32()?;
        }
        r.0.is_empty().then_some(Status {
            frames_ok: c[0],
            crc_errors: c[1],
            framing_errors: c[2],
            overruns: c[3],
            duplicates: c[4],
            refused: c[5],
            inferences: c[6],
            words_written: c[7],
        })
    }

    fn counters(&self) -> [u32; 8] {
        [
            self.frames_ok,
            self.crc_errors,
            self.framing_errors,
            self.overruns,
            self.duplicates,
            self.refused,
            self.inferences,
            self.words_written,
        ]
    }
}

/// A cursor over response bytes.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.0.len() < n {
            return None;
        }
        let (a, b) = self.0.split_at(n);
        self.0 = b;
        Some(a)
    }

    fn u8(&mut self) -> Option<u8> {
        Some(self.take(1)?[0])
    }

    fn u16(&mut self) -> Option<u16> {
        Some(u16::from_le_bytes(self.take(2)?.try_into().ok()?))
    }

    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn crc_check_value() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b""), 0);
    }

    #[test]
    fn packet_errors() {
        let p = Packet { seq: 7, code: Command::Write as u8, data: vec![1, 2, 3] };
        let mut b = p.to_bytes();
        assert_eq!(Packet::parse(&b), Ok(p.clone()));
        assert_eq!(Packet::parse(&b[..7]), Err(PacketError::Short(7)));
        assert_eq!(Packet::parse(&b[..b.len() - 1]), Err(PacketError::Length { declared: 3, got: 2 }));
        b[4] ^= 1;
        assert!(matches!(Packet::parse(&b), Err(PacketError::Crc { .. })));
        let mut long = vec![0, 1];
        long.extend_from_slice(&((MAX_DATA + 1) as u16).to_le_bytes());
        assert_eq!(Packet::parse(&[long, vec![0; 4]].concat()), Err(PacketError::TooLong(MAX_DATA + 1)));
    }

    #[test]
    fn info_and_status_round_trip() {
        let info = Info {
            version: VERSION,
            hash: [7; 32],
            in_len: 784,
            in_bits: 8,
            in_signed: false,
            out_len: 10,
            out_bits: 8,
            out_signed: true,
            max_batch: 4,
            memories: vec![MemoryInfo { id: 0, width: 64, depth: 784 }, MemoryInfo { id: 3, width: 9, depth: 2 }],
        };
        assert_eq!(Info::parse(&info.to_bytes()), Some(info.clone()));
        assert_eq!(Info::parse(&info.to_bytes()[1..]), None);
        let s = Status { frames_ok: 1, crc_errors: 2, inferences: 9, ..Status::default() };
        assert_eq!(Status::parse(&s.to_bytes()), Some(s));
        assert_eq!(Status::parse(&[0; 31]), None);
    }

    proptest! {
        #[test]
        fn any_single_bit_flip_is_caught(data in proptest::collection::vec(any::<u8>(), 0..300), bit in any::<usize>()) {
            let p = Packet { seq: 1, code: 3, data };
            let mut b = p.to_bytes();
            let bit = bit % (b.len() * 8);
            b[bit / 8] ^= 1 << (bit % 8);
            prop_assert_ne!(Packet::parse(&b), Ok(p));
        }
    }
}
