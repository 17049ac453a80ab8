//! How `infer`, `sim` and `run` report labels and the epilogue's output.

/// The report lines for the labels of some outputs and, when the model has an epilogue, its
/// output for the first input (`name` heads the labels' line; the left column is padded to `width`).
pub fn label_lines(
    name: &str,
    labels: &[usize],
    epilogue_outputs: Option<&Vec<Vec<f64>>>,
    width: usize,
) -> Vec<String> {
    let shown: Vec<String> = labels.iter().take(20).map(|l| l.to_string()).collect();
    let more = if labels.len() > 20 { " …" } else { "" };
    match epilogue_outputs.and_then(|o| o.first()) {
        Some(first) => {
            let v: Vec<String> = first.iter().map(|v| format!("{v:.4}")).collect();
            vec![
                format!("{:<width$}{}{more} (argmax of the epilogue s·y + b, on the host)", name, shown.join(" ")),
                format!("{:<width$}input 0: [{}]", "epilogue", v.join(", ")),
            ]
        }
        None => vec![format!("{:<width$}{}{more}", name, shown.join(" "))],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_and_the_epilogue() {
        assert_eq!(label_lines("labels", &[3, 1], None, 8), ["labels  3 1"]);
        let e = vec![vec![0.5, -1.25]];
        assert_eq!(
            label_lines("labels", &[0], Some(&e), 10),
            ["labels    0 (argmax of the epilogue s·y + b, on the host)", "epilogue  input 0: [0.5000, -1.2500]"]
        );
        let many: Vec<usize> = (0..25).collect();
        assert!(label_lines("p", &many, None, 2)[0].ends_with("19 …"));
    }
}
