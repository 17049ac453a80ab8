//! Constant tensors: a shape and `f64` values (row-major), decoded from `TensorProto` with every
//! length checked before anything is allocated, and the few numpy-style operations constant
//! folding needs (broadcasting arithmetic, transpose, gather, concat).
//!
//! Every value ONNX stores (f16/f32/f64 floats and integers up to 64 bits) is held as `f64`;
//! integers beyond ±2⁵³ lose precision, which only matters for sentinel values the importer
//! never reads (e.g. `Slice` ends).

use crate::onnx::{data_type as dt, TensorProto};

/// The most elements any tensor (read or computed) may have: 2²⁶ (512 MiB of `f64`).
pub const MAX_ELEMENTS: usize = 1 << 26;

/// A dense constant tensor.
#[derive(Clone, Debug, PartialEq)]
pub struct Tensor {
    shape: Vec<usize>,
    data: Vec<f64>,
}

/// The number of elements of `shape`, or `None` if it overflows or exceeds [`MAX_ELEMENTS`].
pub fn numel(shape: &[usize]) -> Option<usize> {
    shape.iter().try_fold(1usize, |acc, &d| acc.checked_mul(d)).filter(|&n| n <= MAX_ELEMENTS)
}

impl Tensor {
    /// A tensor from a shape and its row-major values; `None` if the lengths differ.
    pub fn new(shape: Vec<usize>, data: Vec<f64>) -> Option<Self> {
        (numel(&shape)? == data.len()).then_some(Self { shape, data })
    }

    /// A rank-0 tensor.
    pub fn scalar(v: f64) -> Self {
        Self { shape: vec![], data: vec![v] }
    }

    /// A rank-1 tensor.
    pub fn vector(values: Vec<f64>) -> Self {
        Self { shape: vec![values.len()], data: values }
    }

    /// The shape.
    pub fn shape(&self) -> &[usize] {
        &self.shape
    }

    /// The values, row-major.
    pub fn data(&self) -> &[f64] {
        &self.data
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        self.data.len()
    }

    /// Whether the tensor has no elements.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// The single value of a one-element tensor.
    pub fn as_scalar(&self) -> Option<f64> {
        (self.data.len() == 1).then(|| self.data[0])
    }

    /// The values as integers, if they all are (exactly).
    pub fn as_ints(&self) -> Option<Vec<i64>> {
        self.data.iter().map(|&v| (v.fract() == 0.0 && v.abs() < 9.2e18).then_some(v as i64)).collect()
    }

    /// The same values under another shape with the same element count.
    pub fn reshaped(&self, shape: Vec<usize>) -> Option<Self> {
        Self::new(shape, self.data.clone())
    }

    /// Applies `f` to every element.
    pub fn map(&self, f: impl Fn(f64) -> f64) -> Self {
        Self { shape: self.shape.clone(), data: self.data.iter().map(|&v| f(v)).collect() }
    }

    /// Decodes a `TensorProto`. Errors say what is wrong, without the tensor's name.
    pub fn from_proto(t: &TensorProto) -> Result<Self, String> {
        if t.data_location == 1 || !t.external_data.is_empty() {
            return Err("its data is stored in an external file; embed it in the model (onnx.save with save_as_external_data=False)".into());
        }
        let mut shape = Vec::with_capacity(t.dims.len());
        for &d in &t.dims {
            shape.push(usize::try_from(d).map_err(|_| format!("negative dimension {d} in {:?}", t.dims))?);
        }
        let n = numel(&shape).ok_or_else(|| format!("dims {:?} have more than {MAX_ELEMENTS} elements", t.dims))?;
        let size = match t.data_type {
            dt::FLOAT | dt::INT32 | dt::UINT32 => 4,
            dt::DOUBLE | dt::INT64 | dt::UINT64 => 8,
            dt::INT8 | dt::UINT8 | dt::BOOL => 1,
            dt::INT16 | dt::UINT16 | dt::FLOAT16 | dt::BFLOAT16 => 2,
            other => return Err(format!("data type {} is not supported", dt::name(other))),
        };
        let data: Vec<f64> = if !t.raw_data.is_empty() || n == 0 {
            let raw = &t.raw_data;
            if raw.len() as u128 != n as u128 * size as u128 {
                return Err(format!(
                    "raw_data holds {} bytes, but dims {:?} of {} need {}",
                    raw.len(),
                    t.dims,
                    dt::name(t.data_type),
                    n as u128 * size as u128
                ));
            }
            let chunks = raw.chunks_exact(size);
            let arr = |c: &[u8]| -> [u8; 8] {
                let mut a = [0u8; 8];
                a[..c.len()].copy_from_slice(c);
                a
            };
            match t.data_type {
                dt::FLOAT => chunks.map(|c| f64::from(f32::from_le_bytes([c[0], c[1], c[2], c[3]]))).collect(),
                dt::DOUBLE => chunks.map(|c| f64::from_le_bytes(arr(c))).collect(),
                dt::INT32 => chunks.map(|c| f64::from(i32::from_le_bytes([c[0], c[1], c[2], c[3]]))).collect(),
                dt::UINT32 => chunks.map(|c| f64::from(u32::from_le_bytes([c[0], c[1], c[2], c[3]]))).collect(),
                dt::INT64 => chunks.map(|c| i64::from_le_bytes(arr(c)) as f64).collect(),
                dt::UINT64 => chunks.map(|c| u64::from_le_bytes(arr(c)) as f64).collect(),
                dt::INT8 => chunks.map(|c| f64::from(c[0] as i8)).collect(),
                dt::UINT8 => chunks.map(|c| f64::from(c[0])).collect(),
                dt::BOOL => chunks.map(|c| f64::from(u8::from(c[0] != 0))).collect(),
                dt::INT16 => chunks.map(|c| f64::from(i16::from_le_bytes([c[0], c[1]]))).collect(),
                dt::UINT16 => chunks.map(|c| f64::from(u16::from_le_bytes([c[0], c[1]]))).collect(),
                dt::FLOAT16 => chunks.map(|c| f16_to_f64(u16::from_le_bytes([c[0], c[1]]))).collect(),
                dt::BFLOAT16 => chunks.map(|c| bf16_to_f64(u16::from_le_bytes([c[0], c[1]]))).collect(),
                _ => unreachable!("sizes listed above"),
            }
        } else {
            let (len, data): (usize, Vec<f64>) = match t.data_type {
                dt::FLOAT => (t.float_data.len(), t.float_data.iter().map(|&v| f64::from(v)).collect()),
                dt::DOUBLE => (t.double_data.len(), t.double_data.clone()),
                dt::INT64 => (t.int64_data.len(), t.int64_data.iter().map(|&v| v as f64).collect()),
                dt::UINT32 | dt::UINT64 => (t.uint64_data.len(), t.uint64_data.iter().map(|&v| v as f64).collect()),
                dt::FLOAT16 => (t.int32_data.len(), t.int32_data.iter().map(|&v| f16_to_f64(v as u16)).collect()),
                dt::BFLOAT16 => (t.int32_data.len(), t.int32_data.iter().map(|&v| bf16_to_f64(v as u16)).collect()),
                _ => (t.int32_data.len(), t.int32_data.iter().map(|&v| f64::from(v)).collect()),
            };
            if len != n {
                return Err(format!("holds {len} values, but dims {:?} need {n}", t.dims));
            }
            data
        };
        Ok(Self { shape, data })
    }

    /// Expands this tensor to `shape` by numpy broadcasting (it must broadcast *to* `shape`
    /// exactly), giving the row-major values.
    pub fn broadcast_to(&self, shape: &[usize]) -> Option<Vec<f64>> {
        if broadcast_shape(&self.shape, shape)? != shape {
            return None;
        }
        let n = numel(shape)?;
        let strides = broadcast_strides(&self.shape, shape);
        Some((0..n).map(|i| self.data[source_index(i, shape, &strides)]).collect())
    }

    /// Elementwise `f(a, b)` with numpy broadcasting.
    pub fn zip(a: &Tensor, b: &Tensor, f: impl Fn(f64, f64) -> f64) -> Option<Tensor> {
        let shape = broadcast_shape(&a.shape, &b.shape)?;
        let n = numel(&shape)?;
        let (sa, sb) = (broadcast_strides(&a.shape, &shape), broadcast_strides(&b.shape, &shape));
        let data = (0..n).map(|i| f(a.data[source_index(i, &shape, &sa)], b.data[source_index(i, &shape, &sb)])).collect();
        Some(Tensor { shape, data })
    }

    /// Permutes the axes (`perm[i]` is the input axis of output axis `i`).
    pub fn transpose(&self, perm: &[usize]) -> Option<Tensor> {
        let r = self.shape.len();
        let mut seen = vec![false; r];
        if perm.len() != r || perm.iter().any(|&p| p >= r || std::mem::replace(&mut seen[p], true)) {
            return None;
        }
        let out_shape: Vec<usize> = perm.iter().map(|&p| self.shape[p]).collect();
        let in_strides = strides(&self.shape);
        let strides_out: Vec<usize> = perm.iter().map(|&p| in_strides[p]).collect();
        let n = self.data.len();
        let mut data = Vec::with_capacity(n);
        let mut idx = vec![0usize; r];
        for _ in 0..n {
            let src: usize = idx.iter().zip(&strides_out).map(|(i, s)| i * s).sum();
            data.push(self.data[src]);
            for ax in (0..r).rev() {
                idx[ax] += 1;
                if idx[ax] < out_shape[ax] {
                    break;
                }
                idx[ax] = 0;
            }
        }
        Some(Tensor { shape: out_shape, data })
    }

    /// numpy `take(self, indices, axis)`; indices may be negative. `None` when out of range.
    pub fn gather(&self, axis: usize, indices: &Tensor) -> Option<Tensor> {
        let dim = *self.shape.get(axis)?;
        let idx: Vec<usize> = indices
            .as_ints()?
            .into_iter()
            .map(|i| {
                let i = if i < 0 { i + dim as i64 } else { i };
                (0..dim as i64).contains(&i).then_some(i as usize)
            })
            .collect::<Option<_>>()?;
        let outer: usize = self.shape[..axis].iter().product();
        let inner: usize = self.shape[axis + 1..].iter().product();
        let mut shape = self.shape[..axis].to_vec();
        shape.extend_from_slice(indices.shape());
        shape.extend_from_slice(&self.shape[axis + 1..]);
        let n = numel(&shape)?;
        let mut data = Vec::with_capacity(n);
        for o in 0..outer {
            for &i in &idx {
                let start = (o * dim + i) * inner;
                data.extend_from_slice(&self.data[start..start + inner]);
            }
        }
        Tensor::new(shape, data)
    }

    /// numpy `concatenate(parts, axis)`.
    pub fn concat(parts: &[&Tensor], axis: usize) -> Option<Tensor> {
        let first = parts.first()?;
        let r = first.shape.len();
        if axis >= r {
            return None;
        }
        let mut shape = first.shape.clone();
        shape[axis] = 0;
        for p in parts {
            if p.shape.len() != r || (0..r).any(|a| a != axis && p.shape[a] != first.shape[a]) {
                return None;
            }
            shape[axis] = shape[axis].checked_add(p.shape[axis])?;
        }
        let n = numel(&shape)?;
        let outer: usize = first.shape[..axis].iter().product();
        let mut data = Vec::with_capacity(n);
        for o in 0..outer {
            for p in parts {
                let chunk: usize = p.shape[axis..].iter().product();
                data.extend_from_slice(&p.data[o * chunk..(o + 1) * chunk]);
            }
        }
        Tensor::new(shape, data)
    }
}

/// Row-major strides of `shape`.
pub fn strides(shape: &[usize]) -> Vec<usize> {
    let mut s = vec![1usize; shape.len()];
    for i in (0..shape.len().saturating_sub(1)).rev() {
        s[i] = s[i + 1] * shape[i + 1];
    }
    s
}

/// The numpy broadcast of two shapes, or `None` if they do not broadcast.
pub fn broadcast_shape(a: &[usize], b: &[usize]) -> Option<Vec<usize>> {
    let r = a.len().max(b.len());
    let mut out = vec![0; r];
    for i in 0..r {
        let da = if i + a.len() >= r { a[i + a.len() - r] } else { 1 };
        let db = if i + b.len() >= r { b[i + b.len() - r] } else { 1 };
        out[i] = match (da, db) {
            (x, y) if x == y => x,
            (1, y) => y,
            (x, 1) => x,
            _ => return None,
        };
    }
    numel(&out)?;
    Some(out)
}

/// For each axis of `out`, the stride into a tensor of shape `src` broadcast to it (0 on
/// broadcast axes).
fn broadcast_strides(src: &[usize], out: &[usize]) -> Vec<usize> {
    let s = strides(src);
    let off = out.len() - src.len();
    (0..out.len()).map(|i| if i < off || src[i - off] == 1 { 0 } else { s[i - off] }).collect()
}

fn source_index(mut flat: usize, shape: &[usize], bstrides: &[usize]) -> usize {
    let mut src = 0;
    for ax in (0..shape.len()).rev() {
        let d = shape[ax].max(1);
        src += (flat % d) * bstrides[ax];
        flat /= d;
    }
    src
}

/// IEEE half precision to `f64`.
pub fn f16_to_f64(h: u16) -> f64 {
    let sign = if h >> 15 == 1 { -1.0 } else { 1.0 };
    let exp = i32::from((h >> 10) & 0x1f);
    let frac = f64::from(h & 0x3ff);
    sign * match exp {
        0 => frac * 2f64.powi(-24),
        31 if frac == 0.0 => f64::INFINITY,
        31 => f64::NAN,
        e => (1.0 + frac / 1024.0) * 2f64.powi(e - 15),
    }
}

/// bfloat16 to `f64`.
pub fn bf16_to_f64(h: u16) -> f64 {
    f64::from(f32::from_bits(u32::from(h) << 16))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(shape: &[usize], data: &[f64]) -> Tensor {
        Tensor::new(shape.to_vec(), data.to_vec()).unwrap()
    }

    #[test]
    fn broadcasting() {
        let a = t(&[2, 1], &[1.0, 2.0]);
        let b = t(&[3], &[10.0, 20.0, 30.0]);
        let c = Tensor::zip(&a, &b, |x, y| x + y).unwrap();
        assert_eq!(c.shape(), &[2, 3]);
        assert_eq!(c.data(), &[11.0, 21.0, 31.0, 12.0, 22.0, 32.0]);
        assert_eq!(b.broadcast_to(&[2, 3]).unwrap(), vec![10.0, 20.0, 30.0, 10.0, 20.0, 30.0]);
        assert!(c.broadcast_to(&[3]).is_none());
        assert!(broadcast_shape(&[2], &[3]).is_none());
        assert!(broadcast_shape(&[1 << 20, 1], &[1, 1 << 20]).is_none(), "too many elements");
    }

    #[test]
    fn transpose_gather_concat() {
        let a = t(&[2, 3], &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
        assert_eq!(a.transpose(&[1, 0]).unwrap().data(), &[1.0, 4.0, 2.0, 5.0, 3.0, 6.0]);
        assert!(a.transpose(&[0, 0]).is_none());
        let g = a.gather(1, &Tensor::vector(vec![2.0, -3.0])).unwrap();
        assert_eq!((g.shape(), g.data()), (&[2usize, 2][..], &[3.0, 1.0, 6.0, 4.0][..]));
        assert!(a.gather(1, &Tensor::scalar(3.0)).is_none());
        let s = a.gather(0, &Tensor::scalar(1.0)).unwrap();
        assert_eq!((s.shape(), s.data()), (&[3usize][..], &[4.0, 5.0, 6.0][..]));
        let c = Tensor::concat(&[&a, &a], 1).unwrap();
        assert_eq!(c.shape(), &[2, 6]);
        assert_eq!(&c.data()[..6], &[1.0, 2.0, 3.0, 1.0, 2.0, 3.0]);
    }

    #[test]
    fn halves() {
        assert_eq!(f16_to_f64(0x3c00), 1.0);
        assert_eq!(f16_to_f64(0xc000), -2.0);
        assert_eq!(f16_to_f64(0x3555), 0.333251953125);
        assert_eq!(bf16_to_f64(0x3f80), 1.0);
    }

    #[test]
    fn proto_lengths_checked() {
        let mut p = TensorProto { dims: vec![2, 2], data_type: dt::FLOAT, ..Default::default() };
        p.float_data = vec![1.0, 2.0, 3.0];
        assert!(Tensor::from_proto(&p).unwrap_err().contains("need 4"));
        p.float_data.clear();
        p.raw_data = vec![0; 15];
        assert!(Tensor::from_proto(&p).unwrap_err().contains("raw_data"));
        p.dims = vec![1 << 40, 1 << 40];
        assert!(Tensor::from_proto(&p).unwrap_err().contains("more than"));
        p.dims = vec![-1];
        assert!(Tensor::from_proto(&p).unwrap_err().contains("negative"));
        let p = TensorProto { dims: vec![2], data_type: dt::INT64, int64_data: vec![-1, 5], ..Default::default() };
        assert_eq!(Tensor::from_proto(&p).unwrap().data(), &[-1.0, 5.0]);
    }
}
