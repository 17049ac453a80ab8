//! Pass 1: bytes to the decoded protobuf ([`crate::onnx::ModelProto`]), bounded.
//!
//! The file is refused before reading when it is larger than [`crate::MAX_ONNX_BYTES`]; the
//! bytes are then pre-scanned ([`crate::wire`]) so that decoding allocates at most a bounded
//! multiple of the file's size, and decoded by `prost`, which checks every length.

use crate::error::ImportError;
use crate::onnx::ModelProto;
use crate::wire;
use prost::Message;
use std::fs;
use std::io::Read;
use std::path::Path;

/// Reads a whole file, refusing it first if it is larger than `limit`.
pub fn read_bounded(path: &Path, limit: u64) -> Result<Vec<u8>, ImportError> {
    let io = |source| ImportError::Io { path: path.to_path_buf(), source };
    let file = fs::File::open(path).map_err(io)?;
    let size = file.metadata().map_err(io)?.len();
    if size > limit {
        return Err(ImportError::FileTooLarge { path: path.to_path_buf(), size, limit });
    }
    let mut buf = Vec::with_capacity(size as usize);
    file.take(limit + 1).read_to_end(&mut buf).map_err(io)?;
    if buf.len() as u64 > limit {
        return Err(ImportError::FileTooLarge { path: path.to_path_buf(), size: buf.len() as u64, limit });
    }
    Ok(buf)
}

/// Decodes an ONNX model from its bytes.
pub fn decode(bytes: &[u8]) -> Result<ModelProto, ImportError> {
    if bytes.is_empty() {
        return Err(ImportError::Protobuf { reason: "the file is empty".into() });
    }
    wire::scan_model(bytes).map_err(|e| ImportError::Protobuf { reason: e.0 })?;
    let model = ModelProto::decode(bytes).map_err(|e| ImportError::Protobuf { reason: e.to_string() })?;
    if model.graph.is_none() {
        return Err(ImportError::Protobuf {
            reason: "it has no graph (is it an ONNX model? an empty or foreign protobuf decodes to an empty model)".into(),
        });
    }
    Ok(model)
}
