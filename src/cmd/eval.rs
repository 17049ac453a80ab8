//! `bitloom eval MODEL --data D [--json]`: test accuracy of a trained model: the integer
//! model on the reference executor when there is one, else the float network on candle.

use anyhow::{Context, Result};
use bitloom_train::{checkpoint, dataset, fit};
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `eval`.
#[derive(clap::Args)]
pub struct Args {
    /// A directory written by `bitloom train`, `quantize` or `import` (any native model).
    model: PathBuf,
    /// fashion-mnist, mnist, or a directory with {train,test}-{images,labels}.idx[.gz].
    #[arg(long)]
    data: String,
    /// Print one JSON object.
    #[arg(long)]
    json: bool,
}

/// Runs `eval`.
pub fn run(a: Args) -> Result<ExitCode> {
    let data = dataset::load(&a.data)?;
    let (accuracy, engine) = if a.model.join(bitloom_compiler::format::MODEL_FILE).is_file() {
        let model = bitloom_compiler::format::load(&a.model).with_context(|| format!("loading {}", a.model.display()))?;
        if data.image_len != model.input.len() {
            let (shape, len) = (&model.input.shape, model.input.len());
            anyhow::bail!("{} images have {} pixels, the model's input {shape:?} has {len}", a.data, data.image_len);
        }
        // The dataset holds raw pixels, which is what every native model takes; the convention
        // says what the source network saw of them.
        if !a.json {
            println!("input: {}", bitloom::inputs::describe_input(&model.input));
        }
        (bitloom_train::integer_accuracy(&model, &data.test, data.image_len)?, "reference")
    } else {
        let (mut net, _) = checkpoint::load(&a.model)?;
        (fit::evaluate(&mut net, &data.test, data.image_len)?, "candle")
    };
    if a.json {
        let v = serde_json::json!({"model": a.model, "dataset": a.data, "examples": data.test.len(), "accuracy": accuracy, "engine": engine});
        println!("{v}");
    } else {
        println!("{}: {:.2} % of {} {} test images ({engine})", a.model.display(), 100.0 * accuracy, data.test.len(), a.data);
    }
    Ok(ExitCode::SUCCESS)
}
