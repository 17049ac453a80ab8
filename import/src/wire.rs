//! A pre-scan of the protobuf wire format that bounds what decoding will allocate.
//!
//! `prost` checks every length against the bytes that remain, so a truncated or garbage file
//! cannot make it read out of bounds; but each (even empty, two-byte) sub-message becomes a Rust
//! struct of a few hundred bytes, and each one-byte packed integer an eight-byte `i64`. This scan
//! walks the file once, without allocating, following the same schema as [`crate::onnx`], and
//! adds up an upper bound of the decoded size. A file over [`MAX_DECODED_BYTES`] or with more
//! than [`MAX_MESSAGES`] sub-messages, nested deeper than [`MAX_DEPTH`], or whose lengths run past
//! its end is refused here, with the byte offset, before `prost` sees it.

/// Upper bound of the memory decoding may take (2 GiB).
pub const MAX_DECODED_BYTES: u64 = 2 << 30;
/// The most (sub-)messages a file may hold.
pub const MAX_MESSAGES: u64 = 1 << 22;
/// The deepest nesting of messages accepted (a real model nests 6 deep).
pub const MAX_DEPTH: usize = 32;
/// What one decoded message is counted as (larger than any struct in [`crate::onnx`]).
const MESSAGE_COST: u64 = 512;

/// The messages of [`crate::onnx`], as the scan knows them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Model,
    OpsetId,
    Graph,
    Node,
    Attribute,
    Tensor,
    Sparse,
    Entry,
    Annotation,
    ValueInfo,
    Type,
    TensorType,
    Shape,
    Dim,
}

/// What a field of a message holds, for the size estimate.
enum Field {
    /// A sub-message of this kind.
    Message(Kind),
    /// A packed repeated integer: up to 8 decoded bytes per encoded byte.
    PackedInts,
    /// Anything else (strings, bytes, floats, or a field the decoder skips).
    Other,
}

fn field(kind: Kind, number: u64) -> Field {
    use Field::*;
    use Kind::*;
    match (kind, number) {
        (Model, 7) => Message(Graph),
        (Model, 8) => Message(OpsetId),
        (Graph, 1) => Message(Node),
        (Graph, 5) => Message(Tensor),
        (Graph, 11..=13) => Message(ValueInfo),
        (Graph, 14) => Message(Annotation),
        (Graph, 15) => Message(Sparse),
        (Node, 5) => Message(Attribute),
        (Attribute, 5) => Message(Tensor),
        (Attribute, 8) => PackedInts,
        (Tensor, 1 | 5 | 7 | 11) => PackedInts,
        (Tensor, 13) => Message(Entry),
        (Sparse, 3) => PackedInts,
        (Annotation, 2) => Message(Entry),
        (ValueInfo, 2) => Message(Type),
        (Type, 1) => Message(TensorType),
        (TensorType, 2) => Message(Shape),
        (Shape, 1) => Message(Dim),
        _ => Other,
    }
}

/// Why a file was refused by the scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanError(pub String);

struct Budget {
    bytes: u64,
    messages: u64,
}

impl Budget {
    fn add(&mut self, bytes: u64, at: usize) -> Result<(), ScanError> {
        self.bytes = self.bytes.saturating_add(bytes);
        if self.bytes > MAX_DECODED_BYTES {
            return Err(ScanError(format!(
                "decoding would take more than {} MiB (at byte {at}); the importer refuses such files",
                MAX_DECODED_BYTES >> 20
            )));
        }
        Ok(())
    }
}

fn varint(buf: &[u8], pos: &mut usize) -> Result<u64, ScanError> {
    let start = *pos;
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let Some(&b) = buf.get(*pos) else {
            return Err(ScanError(format!("truncated: a varint at byte {start} runs past the end of the file")));
        };
        *pos += 1;
        value |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Ok(value);
        }
    }
    Err(ScanError(format!("malformed varint at byte {start} (longer than 10 bytes)")))
}

/// Scans `buf` as a `ModelProto`; see the module documentation.
pub fn scan_model(buf: &[u8]) -> Result<(), ScanError> {
    let mut budget = Budget { bytes: buf.len() as u64, messages: 1 };
    scan(buf, 0, Kind::Model, 0, &mut budget)
}

fn scan(buf: &[u8], offset: usize, kind: Kind, depth: usize, budget: &mut Budget) -> Result<(), ScanError> {
    if depth > MAX_DEPTH {
        return Err(ScanError(format!("messages nested more than {MAX_DEPTH} deep (at byte {offset})")));
    }
    let mut pos = 0;
    while pos < buf.len() {
        let at = offset + pos;
        let key = varint(buf, &mut pos)?;
        let (number, wire) = (key >> 3, key & 7);
        if number == 0 {
            return Err(ScanError(format!("field number 0 at byte {at}: not a protobuf message (garbage?)")));
        }
        match wire {
            0 => {
                varint(buf, &mut pos)?;
                budget.add(8, at)?;
            }
            1 | 5 => {
                let n = if wire == 1 { 8 } else { 4 };
                if buf.len() - pos < n {
                    return Err(ScanError(format!("truncated: field {number} at byte {at} runs past the end")));
                }
                pos += n;
                budget.add(8, at)?;
            }
            2 => {
                let len = varint(buf, &mut pos)?;
                let remaining = (buf.len() - pos) as u64;
                if len > remaining {
                    return Err(ScanError(format!(
                        "truncated: field {number} of {kind:?} at byte {at} declares {len} bytes, {remaining} remain"
                    )));
                }
                let body = &buf[pos..pos + len as usize];
                match field(kind, number) {
                    Field::Message(child) => {
                        budget.messages += 1;
                        if budget.messages > MAX_MESSAGES {
                            return Err(ScanError(format!(
                                "more than {MAX_MESSAGES} protobuf messages (at byte {at}); the importer refuses such files"
                            )));
                        }
                        budget.add(MESSAGE_COST, at)?;
                        scan(body, offset + pos, child, depth + 1, budget)?;
                    }
                    Field::PackedInts => budget.add(len.saturating_mul(8), at)?,
                    Field::Other => budget.add(len + 24, at)?,
                }
                pos += len as usize;
            }
            _ => {
                return Err(ScanError(format!(
                    "wire type {wire} (field {number}) at byte {at} is not used by ONNX: not an ONNX file (garbage?)"
                )))
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_and_truncated() {
        scan_model(&[]).unwrap();
        // field 7 (graph), length 5, but only 1 byte follows
        let e = scan_model(&[0x3a, 5, 0]).unwrap_err();
        assert!(e.0.contains("truncated"), "{e:?}");
        // a varint that never ends
        let e = scan_model(&[0x08, 0xff]).unwrap_err();
        assert!(e.0.contains("truncated"), "{e:?}");
    }

    #[test]
    fn too_many_messages() {
        // A graph holding many empty nodes: two bytes each.
        let n = (MAX_MESSAGES as usize) + 10;
        let mut graph = Vec::with_capacity(2 * n);
        for _ in 0..n {
            graph.extend([0x0a, 0]);
        }
        let mut model = vec![0x3a];
        let mut len = graph.len() as u64;
        while len >= 0x80 {
            model.push((len as u8 & 0x7f) | 0x80);
            len >>= 7;
        }
        model.push(len as u8);
        model.extend(graph);
        let e = scan_model(&model).unwrap_err();
        assert!(e.0.contains("refuses such files"), "{e:?}");
    }

    #[test]
    fn message_cost_covers_every_struct() {
        use crate::onnx::*;
        use std::mem::size_of;
        let largest = [
            size_of::<ModelProto>(),
            size_of::<GraphProto>(),
            size_of::<NodeProto>(),
            size_of::<AttributeProto>(),
            size_of::<TensorProto>(),
            size_of::<ValueInfoProto>(),
            size_of::<TensorAnnotation>(),
        ]
        .into_iter()
        .max()
        .unwrap();
        assert!((largest as u64) < MESSAGE_COST, "{largest}");
    }

    #[test]
    fn garbage() {
        // wire type 3 (start group) is not used by ONNX
        let e = scan_model(&[0x0b, 1, 2, 3]).unwrap_err();
        assert!(e.0.contains("wire type 3"), "{e:?}");
        let e = scan_model(&[0x00, 1]).unwrap_err();
        assert!(e.0.contains("field number 0"), "{e:?}");
    }
}
