//! The bad-input corpus: every case of `tests/bad-input/cases.toml` runs the real `bitloom`
//! binary under an address-space limit (`prlimit --as`), so an unbounded allocation fails the
//! case instead of eating the machine, and must exit as the case says with its message, never
//! a panic. Large inputs (3 GiB files, gzip bombs, 2^29-byte headers) are made here at test time,
//! sparse or as repeated gzip members, and never committed. `BAD_INPUT_CASE=name` runs the cases
//! whose name contains `name`; `BAD_INPUT_VERBOSE=1` prints each case's first line of stderr.

mod common;

use bitloom_compiler::data::write_idx;
use bitloom_compiler::format::{self, MODEL_FILE, WEIGHTS_FILE};
use bitloom_compiler::random_model::{random_bnn, RandomOptions};
use bitloom_compiler::types::DataType;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    case: Vec<Case>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    #[serde(default)]
    setup: Vec<String>,
    #[serde(default)]
    design: BTreeMap<String, serde_json::Value>,
    args: Vec<String>,
    expect: String,
    #[serde(default = "error_exit")]
    exit: i32,
    once: Option<String>,
    #[serde(default = "default_memory")]
    memory_mib: u64,
}

fn error_exit() -> i32 {
    2
}

fn default_memory() -> u64 {
    1024
}

/// The model every case uses: 4×4 inputs, 16-16-10, and its compiled build; and the same
/// model with uint4 inputs.
struct Fixture {
    model: PathBuf,
    build: PathBuf,
    build_uint4: PathBuf,
    _dir: tempfile::TempDir,
}

fn bitloom() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_bitloom"));
    c.env("BITLOOM_CACHE", common::cache_dir());
    c
}

fn compile(model: &Path, out: &Path) {
    let o = bitloom().arg("compile").arg(model).arg("-o").arg(out).output().unwrap();
    assert!(o.status.success(), "compile: {}", common::text(&o));
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let opts = RandomOptions { input_shape: Some(vec![4, 4]), ..Default::default() };
    let mut m = random_bnn("bad", &[16, 16, 10], 1, opts.clone());
    let model = dir.path().join("model");
    format::save(&m, &model).unwrap();
    let build = dir.path().join("build");
    compile(&model, &build);
    // uint4 inputs: the input quantizer's threshold must lie in 0..=16.
    m = random_bnn("bad4", &[16, 16, 10], 1, RandomOptions { input_threshold: 8, ..opts });
    m.input.dtype = DataType::UInt(4);
    let model4 = dir.path().join("model4");
    format::save(&m, &model4).unwrap();
    let build_uint4 = dir.path().join("build4");
    compile(&model4, &build_uint4);
    Fixture { model, build, build_uint4, _dir: dir }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).unwrap();
        }
    }
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

/// A gzip file that decompresses to `header` and then `zeros` zero bytes, made of repeated
/// members so that neither making nor storing it needs the decompressed size.
fn gzip_bomb(path: &Path, header: &[u8], zeros: u64) {
    const CHUNK: u64 = 64 << 20;
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    f.write_all(&gzip(header)).unwrap();
    let full = gzip(&vec![0u8; CHUNK as usize]);
    for _ in 0..zeros / CHUNK {
        f.write_all(&full).unwrap();
    }
    f.write_all(&gzip(&vec![0u8; (zeros % CHUNK) as usize])).unwrap();
}

fn npy(path: &Path, descr: &str, shape: &str, data: &[u8]) {
    let mut h = format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}");
    while (10 + h.len() + 1) % 64 != 0 {
        h.push(' ');
    }
    h.push('\n');
    let mut out = b"\x93NUMPY\x01\x00".to_vec();
    out.extend_from_slice(&(h.len() as u16).to_le_bytes());
    out.extend_from_slice(h.as_bytes());
    out.extend_from_slice(data);
    std::fs::write(path, out).unwrap();
}

/// The safetensors file of `model` with `edit` applied to its header (as JSON).
fn edit_safetensors(model: &Path, edit: impl FnOnce(&mut serde_json::Value)) {
    let path = model.join(WEIGHTS_FILE);
    let bytes = std::fs::read(&path).unwrap();
    let n = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
    let mut header: serde_json::Value = serde_json::from_slice(&bytes[8..8 + n]).unwrap();
    edit(&mut header);
    let mut text = serde_json::to_string(&header).unwrap();
    while text.len() % 8 != 0 {
        text.push(' ');
    }
    let mut out = (text.len() as u64).to_le_bytes().to_vec();
    out.extend_from_slice(text.as_bytes());
    out.extend_from_slice(&bytes[8 + n..]);
    std::fs::write(&path, out).unwrap();
}

fn first_mem(build: &Path) -> PathBuf {
    let mut mems: Vec<PathBuf> = std::fs::read_dir(build.join("rtl"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "mem") && !p.ends_with("bitloom_link_answer.mem"))
        .collect();
    mems.sort();
    mems.into_iter().next().expect("the build has a weight memory")
}

fn setup(step: &str, fx: &Fixture, build: &Path, model: &Path, tmp: &Path) {
    match step {
        "build" => copy_dir(&fx.build, build),
        "build-uint4" => copy_dir(&fx.build_uint4, build),
        "design-dev-zero" => {
            std::fs::remove_file(build.join("design.json")).unwrap();
            std::os::unix::fs::symlink("/dev/zero", build.join("design.json")).unwrap();
        }
        "mem-truncated" => {
            let p = first_mem(build);
            let text = std::fs::read_to_string(&p).unwrap();
            let keep: String = text.lines().take(text.lines().count() / 2).map(|l| format!("{l}\n")).collect();
            std::fs::write(&p, keep).unwrap();
        }
        "mem-garbage" => {
            let p = first_mem(build);
            let text = std::fs::read_to_string(&p).unwrap();
            std::fs::write(&p, text.replacen(|c: char| c.is_ascii_hexdigit(), "z", 1)).unwrap();
        }
        "board-file-edited" => {
            let p = build.join("rtl/bitloom_link.v");
            let mut text = std::fs::read_to_string(&p).unwrap();
            text.push_str("// edited\n");
            std::fs::write(&p, text).unwrap();
        }
        "icebreaker" | "icebreaker-pll" => {
            let mut args =
                vec!["compile", fx.model.to_str().unwrap(), "-o", build.to_str().unwrap(), "--board", "icebreaker"];
            if step == "icebreaker-pll" {
                args.extend(["--clock-mhz", "24"]);
            }
            let o = bitloom().args(&args).output().unwrap();
            assert!(o.status.success(), "{step}: {}", common::text(&o));
        }
        "answer-edited" => {
            let p = build.join("rtl/bitloom_link_answer.mem");
            let text = std::fs::read_to_string(&p).unwrap();
            std::fs::write(&p, text.replacen("00", "01", 1)).unwrap();
        }
        "pins-edited" => {
            let p = build.join("icebreaker.pcf");
            let text = std::fs::read_to_string(&p).unwrap();
            std::fs::write(&p, text.replacen("set_io", "set_io -nowarn", 1)).unwrap();
        }
        "rtl-edited" => {
            let p = build.join("rtl/bitloom_top.v");
            let mut text = std::fs::read_to_string(&p).unwrap();
            text.push_str("// edited\n");
            std::fs::write(&p, text).unwrap();
        }
        "fold-3gib" => {
            let f = std::fs::File::create(tmp.join("fold.toml")).unwrap();
            f.set_len(3 << 30).unwrap();
        }
        "long-name" => {
            let p = model.join(MODEL_FILE);
            let mut json: serde_json::Value = serde_json::from_slice(&std::fs::read(&p).unwrap()).unwrap();
            json["layers"][1]["name"] = "n".repeat(100).into();
            std::fs::write(&p, serde_json::to_string(&json).unwrap()).unwrap();
        }
        "safetensors-header-2^29" => {
            let p = model.join(WEIGHTS_FILE);
            let mut f = std::fs::File::create(&p).unwrap();
            f.write_all(&(1u64 << 29).to_le_bytes()).unwrap();
            f.set_len(1 << 30).unwrap();
        }
        "safetensors-bad-shape" => edit_safetensors(model, |h| h["fc0.weight"]["shape"][1] = 17.into()),
        "gzip-bomb" => {
            let mut header = vec![0, 0, 8, 3];
            for d in [100_000_000u32, 4, 4] {
                header.extend_from_slice(&d.to_be_bytes());
            }
            gzip_bomb(&tmp.join("bomb.gz"), &header, 1_600_000_000);
        }
        "gzip-bomb-bad-header" => gzip_bomb(&tmp.join("bomb.gz"), &[0, 0, 8, 0], 1_600_000_000),
        "images-200" => {
            let pixels: Vec<u8> = (0..200 * 16).map(|i| (i * 37 % 256) as u8).collect();
            write_idx(&tmp.join("images.idx"), &[200, 4, 4], &pixels).unwrap();
        }
        "labels" => {
            for n in [100, 200, 300] {
                let labels: Vec<u8> = (0..n).map(|i| (i % 10) as u8).collect();
                write_idx(&tmp.join(format!("labels{n}.idx")), &[n], &labels).unwrap();
            }
            let mut bad: Vec<u8> = (0..200).map(|i| (i % 10) as u8).collect();
            bad[7] = 200;
            write_idx(&tmp.join("labels-bad.idx"), &[200], &bad).unwrap();
        }
        "npy" => {
            let values: Vec<f32> = (0..48).map(|i| (i * 5) as f32).collect();
            let bytes = |v: &[f32]| v.iter().flat_map(|x| x.to_le_bytes()).collect::<Vec<u8>>();
            npy(&tmp.join("float.npy"), "<f4", "(3, 4, 4)", &bytes(&values));
            let mut half = values.clone();
            half[5] = 2.5;
            npy(&tmp.join("half.npy"), "<f4", "(3, 4, 4)", &bytes(&half));
            let wide: Vec<u8> = (0..48i16).map(|i| if i == 2 { -3 } else { i }).flat_map(|x| x.to_le_bytes()).collect();
            npy(&tmp.join("wide.npy"), "<i2", "(3, 4, 4)", &wide);
        }
        other => panic!("unknown setup step {other:?}"),
    }
}

/// Applies `design.json` edits (JSON pointer = value).
fn edit_design(build: &Path, edits: &BTreeMap<String, serde_json::Value>) {
    let p = build.join("design.json");
    let mut json: serde_json::Value = serde_json::from_slice(&std::fs::read(&p).unwrap()).unwrap();
    for (pointer, value) in edits {
        let (parent, key) = pointer.rsplit_once('/').unwrap();
        let target = json.pointer_mut(parent).unwrap_or_else(|| panic!("{pointer}: no such field"));
        match target {
            serde_json::Value::Object(o) => {
                o.insert(key.to_string(), value.clone());
            }
            serde_json::Value::Array(a) => a[key.parse::<usize>().unwrap()] = value.clone(),
            _ => panic!("{pointer}: not in an object or array"),
        }
    }
    std::fs::write(&p, serde_json::to_string_pretty(&json).unwrap()).unwrap();
}

fn run_case(fx: &Fixture, case: &Case) -> Result<(), String> {
    let tmp = tempfile::tempdir().unwrap();
    let (build, model) = (tmp.path().join("build"), tmp.path().join("model"));
    copy_dir(&fx.model, &model);
    for step in &case.setup {
        setup(step, fx, &build, &model, tmp.path());
    }
    if !case.design.is_empty() {
        edit_design(&build, &case.design);
    }
    let fill = |a: &String| {
        a.replace("{build}", build.to_str().unwrap())
            .replace("{model}", model.to_str().unwrap())
            .replace("{tmp}", tmp.path().to_str().unwrap())
    };
    let out = Command::new("prlimit")
        .arg(format!("--as={}", case.memory_mib << 20))
        .arg("--")
        .arg(env!("CARGO_BIN_EXE_bitloom"))
        .args(case.args.iter().map(fill))
        .env("BITLOOM_CACHE", common::cache_dir())
        .output()
        .map_err(|e| format!("cannot run prlimit (util-linux): {e}"))?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    let all = common::text(&out);
    let code = out.status.code();
    if stderr.contains("panicked") || code.is_none() || code == Some(101) {
        return Err(format!("crashed ({:?}):\n{all}", out.status));
    }
    if code != Some(case.exit) {
        return Err(format!("exit {code:?}, expected {}:\n{all}", case.exit));
    }
    if std::env::var_os("BAD_INPUT_VERBOSE").is_some() {
        eprintln!("{}: exit {code:?}: {}", case.name, stderr.lines().next().unwrap_or_default());
    }
    let haystack = if case.exit == 0 { all.as_str() } else { &stderr };
    if !haystack.contains(&fill(&case.expect)) {
        return Err(format!("no {:?} in:\n{haystack}", case.expect));
    }
    if let Some(once) = &case.once {
        let n = stderr.matches(once.as_str()).count();
        if n != 1 {
            return Err(format!("{once:?} appears {n} times in:\n{stderr}"));
        }
    }
    Ok(())
}

#[test]
fn bad_input_corpus() {
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bad-input/cases.toml")).unwrap();
    let manifest: Manifest = toml::from_str(&text).unwrap();
    let filter = std::env::var("BAD_INPUT_CASE").ok();
    let fx = fixture();
    let mut failures = Vec::new();
    let mut ran = 0;
    for case in &manifest.case {
        if filter.as_ref().is_some_and(|f| !case.name.contains(f.as_str())) {
            continue;
        }
        ran += 1;
        if let Err(e) = run_case(&fx, case) {
            failures.push(format!("case {}: {e}", case.name));
        }
    }
    assert!(ran > 0, "no case matches BAD_INPUT_CASE");
    assert!(failures.is_empty(), "{} of {ran} cases failed:\n\n{}", failures.len(), failures.join("\n\n"));
}
