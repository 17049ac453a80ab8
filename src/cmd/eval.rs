//! `bitloom eval MODEL --data D [--json]`: test accuracy of a trained model: the integer
//! model on the reference executor when there is one, else the float network on candle.

use anyhow::{bail, Context, Result};
use bitloom_flow::inputs::{arrangement, describe_input, to_native};
use bitloom_train::dataset::Split;
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
    let mut input = None;
    let (accuracy, engine) = if a.model.join(bitloom_compiler::format::MODEL_FILE).is_file() {
        let model = bitloom_compiler::format::load(&a.model).with_context(|| format!("loading {}", a.model.display()))?;
        // The dataset holds raw pixels, which is what every native model takes (the convention
        // says what the source network saw of them), in the model's layout or its source's.
        let source = match arrangement(&data.shape, &model.input) {
            Ok(s) => s,
            Err(why) => bail!("{} images of shape {:?} do not fit the model input: {why}", a.data, data.shape),
        };
        let test = match source {
            None => data.test.clone(),
            Some(_) => Split {
                images: data.test.images.chunks(data.image_len).flat_map(|x| to_native(x, source)).collect(),
                labels: data.test.labels.clone(),
            },
        };
        input = Some(describe_input(&model.input));
        (bitloom_train::integer_accuracy(&model, &test, data.image_len)?, "reference")
    } else {
        let (mut net, _) = checkpoint::load(&a.model)?;
        (fit::evaluate(&mut net, &data.test, data.image_len)?, "candle")
    };
    if a.json {
        let v = serde_json::json!({"model": a.model, "dataset": a.data, "examples": data.test.len(), "accuracy": accuracy, "engine": engine, "input": input});
        println!("{v}");
    } else {
        if let Some(i) = &input {
            println!("input: {i}");
        }
        println!("{}: {:.2} % of {} {} test images ({engine})", a.model.display(), 100.0 * accuracy, data.test.len(), a.data);
    }
    Ok(ExitCode::SUCCESS)
}
