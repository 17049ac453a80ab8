//! Shape rules of the shape-only ops (`Reshape`, `Flatten`, `Squeeze`, `Unsqueeze`) and axis
//! normalisation, shared by constant folding and shape inference. Errors are plain reasons; the
//! caller adds the node.

use crate::tensor::numel;

/// Normalises a possibly negative `axis` for a tensor of rank `rank` (`rank_extra` allows
/// `axis == rank`, as `Flatten` and `Unsqueeze` do).
pub fn norm_axis(axis: i64, rank: usize, rank_extra: bool) -> Result<usize, String> {
    let r = rank as i64 + i64::from(rank_extra);
    let a = if axis < 0 { axis + r } else { axis };
    if (0..r).contains(&a) {
        Ok(a as usize)
    } else {
        Err(format!("axis {axis} is out of range for rank {rank}"))
    }
}

/// `Reshape`'s output shape: `-1` is inferred, `0` copies the input dimension unless
/// `allowzero`.
pub fn reshape(input: &[usize], spec: &[i64], allowzero: bool) -> Result<Vec<usize>, String> {
    let total = numel(input).ok_or("input too large")?;
    let mut out = Vec::with_capacity(spec.len());
    let mut infer = None;
    for (i, &d) in spec.iter().enumerate() {
        match d {
            -1 if infer.is_none() => {
                infer = Some(i);
                out.push(1);
            }
            -1 => return Err(format!("shape {spec:?} has more than one -1")),
            0 if !allowzero => out.push(*input.get(i).ok_or_else(|| format!("shape {spec:?}: 0 at {i} has no input dimension to copy"))?),
            d if d >= 0 => out.push(d as usize),
            d => return Err(format!("shape {spec:?} has the invalid dimension {d}")),
        }
    }
    let known = numel(&out).ok_or_else(|| format!("shape {spec:?} is too large"))?;
    if let Some(i) = infer {
        if known == 0 || total % known != 0 {
            return Err(format!("cannot reshape {input:?} ({total} elements) to {spec:?}"));
        }
        out[i] = total / known;
    } else if known != total {
        return Err(format!("cannot reshape {input:?} ({total} elements) to {spec:?} ({known} elements)"));
    }
    Ok(out)
}

/// `Flatten`'s output shape.
pub fn flatten(input: &[usize], axis: i64) -> Result<Vec<usize>, String> {
    let a = norm_axis(axis, input.len(), true)?;
    Ok(vec![input[..a].iter().product(), input[a..].iter().product()])
}

/// `Squeeze`'s output shape; without axes, every dimension of size 1 goes.
pub fn squeeze(input: &[usize], axes: Option<&[i64]>) -> Result<Vec<usize>, String> {
    match axes {
        None => Ok(input.iter().copied().filter(|&d| d != 1).collect()),
        Some(axes) => {
            let mut drop = vec![false; input.len()];
            for &a in axes {
                let a = norm_axis(a, input.len(), false)?;
                if input[a] != 1 {
                    return Err(format!("cannot squeeze axis {a} of size {} in {input:?}", input[a]));
                }
                drop[a] = true;
            }
            Ok(input.iter().zip(&drop).filter(|(_, &d)| !d).map(|(&s, _)| s).collect())
        }
    }
}

/// `Unsqueeze`'s output shape (axes refer to the output).
pub fn unsqueeze(input: &[usize], axes: &[i64]) -> Result<Vec<usize>, String> {
    let rank = input.len() + axes.len();
    let mut ones = vec![false; rank];
    for &a in axes {
        let a = norm_axis(a, rank, false)?;
        if std::mem::replace(&mut ones[a], true) {
            return Err(format!("axis {a} appears twice in {axes:?}"));
        }
    }
    let mut it = input.iter();
    Ok(ones.iter().map(|&one| if one { 1 } else { *it.next().unwrap_or(&1) }).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        assert_eq!(reshape(&[1, 1, 28, 28], &[1, -1], false).unwrap(), vec![1, 784]);
        assert_eq!(reshape(&[1, 784], &[0, 28, 28], false).unwrap(), vec![1, 28, 28]);
        assert!(reshape(&[1, 784], &[-1, -1], false).is_err());
        assert!(reshape(&[1, 784], &[5, -1], false).is_err());
        assert!(reshape(&[1, 784], &[0, 100], false).is_err());
        assert_eq!(flatten(&[1, 1, 28, 28], 1).unwrap(), vec![1, 784]);
        assert_eq!(flatten(&[2, 3], 0).unwrap(), vec![1, 6]);
        assert_eq!(squeeze(&[1, 64, 1], None).unwrap(), vec![64]);
        assert_eq!(squeeze(&[1, 64, 1], Some(&[-1])).unwrap(), vec![1, 64]);
        assert!(squeeze(&[1, 64], Some(&[1])).is_err());
        assert_eq!(unsqueeze(&[64], &[0, -1]).unwrap(), vec![1, 64, 1]);
        assert!(norm_axis(2, 2, false).is_err());
    }
}
